from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import (
    Html,
    clean_line,
    clean_text,
    esc,
    plain,
    split_message,
    visible_length,
)


def test_escape_keeps_user_text_literal() -> None:
    assert esc("<b>王</b> & Co") == "&lt;b&gt;王&lt;/b&gt; &amp; Co"


def test_short_message_is_not_split() -> None:
    assert split_message(Html("<b>hi</b>")) == ["<b>hi</b>"]


def test_split_at_paragraphs_and_lines() -> None:
    paragraphs = [f"<b>{i}</b> " + "字" * 300 for i in range(40)]
    html = Html("\n\n".join(paragraphs))
    parts = split_message(html, limit=1000)
    assert all(visible_length(p) <= 1000 for p in parts)
    assert "\n\n".join(parts).replace("\n", "") == html.replace("\n", "")
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


@given(st.lists(st.text(alphabet="ab字😀<&", min_size=0, max_size=50), max_size=200))
def test_parts_fit_and_lose_nothing(lines: list[str]) -> None:
    html = Html("\n".join(esc(line) for line in lines))
    parts = split_message(html, limit=100)
    assert all(visible_length(p) <= 100 for p in parts)
    assert "".join(parts).replace("\n", "") == html.replace("\n", "")


def test_text_that_is_not_html_is_escaped_when_it_becomes_a_message() -> None:
    assert split_message("<b>hi</b> & co") == ["&lt;b&gt;hi&lt;/b&gt; &amp; co"]


def test_a_translation_escapes_what_it_is_given() -> None:
    from bot.core.i18n import gettext_for

    _ = gettext_for("en")
    message = _("Sorry, this is only for: {roles}.").format(roles="<i>x</i> & y")
    assert message == "Sorry, this is only for: &lt;i&gt;x&lt;/i&gt; &amp; y."
    assert plain(message) == "Sorry, this is only for: <i>x</i> & y."


def test_typed_text_loses_invisible_formatting_but_keeps_emoji_sequences() -> None:
    assert clean_line("\u202e华春\u200b李\u202c\ufeff ") == "华春李"
    assert clean_line("\u2066东岭村\u2069\u200e") == "东岭村"
    assert clean_line("👨\u200d👩\u200d👧 家庭") == "👨\u200d👩\u200d👧 家庭"
    assert clean_text("第一行\u200b\n\u202e第二行") == "第一行\n第二行"
