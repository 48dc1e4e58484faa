"""gettext through Babel catalogs.

Message ids are the English texts, so English is always complete. Each feature keeps its own
catalog file (`bot/locale/zh_CN/LC_MESSAGES/<feature>.po`); they are merged when loaded.
`python -m bot.core.i18n missing` prints a .po stub for every message that has no translation yet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup

DEFAULT_LANGUAGE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}

# A translation is trusted Telegram HTML (`Markup`): its `.format()` escapes the values.
Gettext = Callable[[str], Markup]
NGettext = Callable[[str, str, int], Markup]


def _catalog_files(language: str) -> Iterator[Path]:
    folder = resources.files("bot") / "locale" / language / "LC_MESSAGES"
    if not folder.is_dir():
        return iter(())
    return iter(sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".po")))


def load_catalog(language: str) -> Catalog:
    merged = Catalog(locale=language)
    for path in _catalog_files(language):
        with path.open("rb") as fh:
            part = read_po(fh, locale=language)
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string)
    return merged


@cache
def translations(language: str) -> NullTranslations:
    if language not in SUPPORTED or language == "en":
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, load_catalog(language))
    buffer.seek(0)
    return Translations(fp=buffer)


def normalize_language(code: str | None) -> str:
    if not code:
        return DEFAULT_LANGUAGE
    code = code.replace("-", "_")
    if code in SUPPORTED:
        return code
    if code.lower().startswith("zh"):
        return "zh_CN"
    if code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


@cache
def gettext_for(language: str | None) -> Gettext:
    gettext = translations(normalize_language(language)).gettext

    def translate(message: str) -> Markup:
        return Markup(gettext(message))

    return translate


@cache
def ngettext_for(language: str | None) -> NGettext:
    ngettext = translations(normalize_language(language)).ngettext

    def translate(singular: str, plural: str, n: int) -> Markup:
        return Markup(ngettext(singular, plural, n))

    return translate


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def extract_messages(root: Path) -> dict[str, list[str]]:
    """Every translatable message in bot/, jobs/ and templates/ -> where it occurs."""
    method_map = [("**.py", "python"), ("**.j2", "jinja2")]
    options = {"**.j2": {"extensions": "jinja2.ext.do"}}
    found: dict[str, list[str]] = {}
    for folder in ("bot", "jobs", "templates"):
        base = root / folder
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(base),
            method_map,
            options,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, []).append(f"{folder}/{filename}:{lineno}")
    return found


def missing_translations(root: Path, language: str = "zh_CN") -> dict[str, list[str]]:
    catalog = load_catalog(language)
    result = {}
    for msgid, where in extract_messages(root).items():
        message = catalog.get(msgid)
        if message is None or not message.string:
            result[msgid] = where
    return result


def _print_missing() -> None:
    root = Path(__file__).resolve().parents[2]
    for msgid, where in sorted(missing_translations(root).items()):
        print(f"#: {' '.join(where)}")
        print(f"msgid {_po_quote(msgid)}")
        print('msgstr ""\n')


def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


if __name__ == "__main__":
    if sys.argv[1:] == ["missing"]:
        _print_missing()
    else:
        print("usage: python -m bot.core.i18n missing")
