import io
import logging

from bot.core.logsetup import setup_logging


def test_tokens_and_secrets_are_redacted_everywhere_in_a_line() -> None:
    buffer = io.StringIO()
    handler = setup_logging(["s3cret-webhook"], stream=buffer)
    log = logging.getLogger("test.redaction")
    try:
        log.warning(
            "POST https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe"
        )
        try:
            raise RuntimeError(
                "header was s3cret-webhook; token 987654321:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
            )
        except RuntimeError:
            log.exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    out = buffer.getvalue()
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in out
    assert "ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in out
    assert "s3cret-webhook" not in out
    assert out.count("***") >= 3 and "RuntimeError" in out
