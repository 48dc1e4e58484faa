from pathlib import Path

from bot.core.i18n import extract_messages, gettext_for, missing_translations, normalize_language

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_chinese_translation() -> None:
    missing = missing_translations(ROOT)
    assert not missing, "untranslated (run `python -m bot.core.i18n missing`):\n" + "\n".join(
        missing
    )


def test_translations_keep_their_placeholders() -> None:
    import string

    zh = gettext_for("zh_CN")
    for msgid in extract_messages(ROOT):
        names = {f for _, f, _, _ in string.Formatter().parse(msgid) if f}
        translated = {f for _, f, _, _ in string.Formatter().parse(zh(msgid)) if f}
        assert names == translated, msgid


def test_language_codes() -> None:
    assert normalize_language("zh-hans") == "zh_CN"
    assert normalize_language("en-GB") == "en"
    assert normalize_language(None) == "zh_CN"
    assert gettext_for("en")("cadre") == "cadre"
    assert gettext_for("zh_CN")("cadre") == "干部"
