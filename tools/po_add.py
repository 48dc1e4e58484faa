"""Add or update translations in a catalog: python tools/po_add.py FEATURE < pairs.json

pairs.json maps English message ids to Chinese. Keeps the catalog sorted and valid."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    feature = sys.argv[1]
    path = ROOT / "bot" / "locale" / "zh_CN" / "LC_MESSAGES" / f"{feature}.po"
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="zh_CN")
    else:
        catalog = Catalog(locale="zh_CN", project="township-bot", charset="utf-8")
    for msgid, msgstr in json.load(sys.stdin).items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100, omit_header=False)


if __name__ == "__main__":
    main()
