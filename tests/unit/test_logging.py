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


def test_updates_the_library_could_not_read_are_logged_without_their_contents() -> None:
    buffer = io.StringIO()
    handler = setup_logging([], stream=buffer)
    data = {"update_id": 5, "message": {"text": "王某某 13812345678", "poll": {}}}
    try:
        try:
            raise TypeError("`allows_revoting` is a required argument since Bot API 9.6")
        except TypeError as exc:
            # What python-telegram-bot logs, from getUpdates and from a webhook POST.
            logging.getLogger("telegram.ext.ExtBot").critical(
                "Error while parsing updates! Received data was %r", [data], exc_info=exc
            )
            logging.getLogger("telegram.ext.Updater").critical(
                "Something went wrong processing the data received from Telegram. "
                "Received data was *not* processed! Received data was: %r",
                data,
                exc_info=exc,
            )
    finally:
        logging.getLogger().removeHandler(handler)
    out = buffer.getvalue()
    assert "13812345678" not in out and "王某某" not in out
    assert out.count("Received data was") == 3 and "allows_revoting" in out
