"""Entity parsing: what Telegram would store for HTML / MarkdownV2 text."""

from __future__ import annotations

import pytest

from bot.web.botapi.formatting import detect_commands
from devkit.emulator import EntityParseError, parse_html, parse_text, utf16_len


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("乡镇") == 2
    assert utf16_len("😀") == 2


def test_html_nested_tags_entities_and_escapes() -> None:
    text, entities = parse_html(
        '😀<b>bold <i>it</i></b> &lt;x&gt; &amp; &#20065;<a href="https://e.com/?a=1&amp;b=2">'
        "link</a>"
    )
    assert text == "😀bold it <x> & 乡link"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 7},
        {"type": "italic", "offset": 7, "length": 2},
        {"type": "text_link", "offset": 17, "length": 4, "url": "https://e.com/?a=1&b=2"},
    ]


def test_html_all_allowed_tags_parse() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span>'
        "<tg-spoiler>q</tg-spoiler><code>c</code><pre>p</pre><blockquote>q</blockquote>"
        '<blockquote expandable>x</blockquote><tg-emoji emoji-id="5368324170671202286">👍'
        "</tg-emoji>"
    )
    _, entities = parse_html(source)
    assert [e["type"] for e in entities] == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "code", "pre", "blockquote",
        "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip


def test_pre_with_code_language_becomes_one_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("AT&T", "Character '&'"),
        ("&nbsp;", "Character '&'"),
        ("1 < 2", "Empty tag name"),
        ("a<", "Unclosed start tag"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<br/>", 'Unsupported start tag "br/"'),
    ],
)
def test_html_rejects_malformed(source: str, fragment: str) -> None:
    with pytest.raises(EntityParseError, match=None) as info:
        parse_html(source)
    assert fragment in str(info.value)


def test_whitespace_is_trimmed_and_entities_shifted() -> None:
    text, entities = parse_text("  \n<b> x </b>\n ", "HTML")
    assert text == "x"
    assert entities == [{"type": "bold", "offset": 0, "length": 1}]


def test_markdown_v2_entities_and_reserved_characters() -> None:
    text, entities = parse_text(r"*bold* _it_ __u__ [link](https://e.com) \. `c\`d`", "MarkdownV2")
    assert text == "bold it u link . c`d"
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "text_link", "code"]
    with pytest.raises(EntityParseError, match="reserved"):
        parse_text("end.", "MarkdownV2")
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity"):
        parse_text("*open", "MarkdownV2")


def test_unknown_parse_mode_and_plain_text() -> None:
    assert parse_text("<b>kept</b> & literal", None) == ("<b>kept</b> & literal", [])
    with pytest.raises(ValueError):
        parse_text("x", "bbcode")


def test_bot_command_detection() -> None:
    assert detect_commands("/start abc") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert detect_commands("/help@emu_test_bot") == [
        {"type": "bot_command", "offset": 0, "length": 18}
    ]
    assert detect_commands("a/b http://x/y") == []
