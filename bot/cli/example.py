"""config.example.zh_CN.toml: config.example.toml with its comments in Chinese.

config.example.toml is the one source. Its keys, values and layout are copied as they are,
and each English comment is replaced by its translation in
bot/locale/zh_CN/LC_MESSAGES/config.po, whose message ids are the comments' texts (a block of
comment lines is one message, its lines joined by newlines; a comment after a value is one
message). A test regenerates the twin and compares, so the two cannot drift apart.

    python -m bot.cli.example            rewrite the twin after editing config.example.toml
    python -m bot.cli.example missing    print the comments without a translation, as JSON
                                         for `python tools/po_add.py config`
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "config.example.toml"
TWIN = ROOT / "config.example.zh_CN.toml"
CATALOG = ROOT / "bot" / "locale" / "zh_CN" / "LC_MESSAGES" / "config.po"

_COMMENT = re.compile(r"^(?P<indent>\s*)#(?P<text>.*)$")
# A commented-out setting (`# proxy = "..."`, `# [table]`) is kept as it is, not translated.
_COMMENTED_CODE = re.compile(r"^\s*(\[{1,2}[\w.]+\]{1,2}\s*$|[A-Za-z_][\w.]*\s*=\s*\S)")


@dataclass(frozen=True)
class Comment:
    """A translatable comment: a block of whole comment lines, or the end of a line."""

    indent: str  # for a block: before each "#"; for a line end: the code before the "#"
    text: str  # the message id
    inline: bool


def _strip_hash(text: str) -> str:
    return text[1:] if text.startswith(" ") else text


def _split_inline(line: str) -> tuple[str, str] | None:
    """(code, comment text) when a line of code ends in a comment, else None."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index], _strip_hash(line[index + 1 :])
    return None


def parse(source: str) -> Iterator[str | Comment]:
    """The file as a sequence of lines kept verbatim and comments to translate."""
    block: list[str] = []
    indent = ""

    def flush() -> Iterator[Comment]:
        if block:
            yield Comment(indent, "\n".join(block), inline=False)
            block.clear()

    for line in source.splitlines():
        match = _COMMENT.match(line)
        text = _strip_hash(match["text"]) if match else ""
        if match and not _COMMENTED_CODE.match(text):
            if block and match["indent"] != indent:
                yield from flush()
            indent = match["indent"]
            block.append(text)
            continue
        yield from flush()
        if match:  # a commented-out setting, perhaps with a comment of its own
            code = f"{match['indent']}# {text}"
            inline = _split_inline(text)
            if inline is None:
                yield code
            else:
                yield Comment(f"{match['indent']}# {inline[0]}", inline[1], inline=True)
            continue
        inline = _split_inline(line)
        if inline is None or not inline[1].strip():
            yield line
        else:
            yield Comment(inline[0], inline[1], inline=True)
    yield from flush()


def render(source: str, translate: Callable[[str], str]) -> str:
    lines: list[str] = []
    for item in parse(source):
        if isinstance(item, str):
            lines.append(item)
        elif item.inline:
            lines.append(f"{item.indent}# {translate(item.text)}")
        else:
            lines.extend(
                f"{item.indent}# {text}".rstrip() if text else f"{item.indent}#"
                for text in translate(item.text).split("\n")
            )
    return "\n".join(lines) + "\n"


def messages(source: str) -> list[str]:
    return [item.text for item in parse(source) if isinstance(item, Comment)]


def catalog() -> dict[str, str]:
    if not CATALOG.exists():
        return {}
    with CATALOG.open("rb") as fh:
        return {
            str(m.id): str(m.string)
            for m in read_po(fh, locale="zh_CN")
            if m.id and m.string and not m.fuzzy
        }


def twin(source: str | None = None, translations: dict[str, str] | None = None) -> str:
    """The Chinese twin; an untranslated comment stays English (the test reports it)."""
    source = SOURCE.read_text(encoding="utf-8") if source is None else source
    found = catalog() if translations is None else translations
    return render(source, lambda text: found.get(text, text))


def main(argv: list[str]) -> int:
    source = SOURCE.read_text(encoding="utf-8")
    known = catalog()
    missing = [m for m in messages(source) if m not in known]
    if argv == ["missing"]:
        print(json.dumps(dict.fromkeys(missing, ""), ensure_ascii=False, indent=2))
        return 0
    TWIN.write_text(twin(source), encoding="utf-8")
    print(f"Wrote {TWIN.name}; {len(missing)} comment(s) without a translation.")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
