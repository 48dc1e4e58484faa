"""config.example.zh_CN.toml stays the Chinese twin of config.example.toml."""

from __future__ import annotations

from bot.cli.example import SOURCE, TWIN, catalog, messages, parse, render, twin
from bot.core.config import load_settings


def test_the_twin_is_generated_from_the_english_file() -> None:
    assert TWIN.read_text(encoding="utf-8") == twin(), (
        "config.example.zh_CN.toml is out of date: run `python -m bot.cli.example`"
    )


def test_every_comment_is_translated_and_no_translation_is_left_over() -> None:
    ids = messages(SOURCE.read_text(encoding="utf-8"))
    known = catalog()
    missing = [m for m in ids if m not in known]
    assert not missing, (
        "comments without a translation (python -m bot.cli.example missing):\n"
        + "\n---\n".join(missing)
    )
    assert sorted(set(known) - set(ids)) == [], "config.po holds translations of old comments"


def test_parsing_loses_nothing() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    assert render(source, lambda text: text) == source


def test_only_comments_differ_and_both_files_mean_the_same(no_network: None) -> None:
    english = [item for item in parse(SOURCE.read_text(encoding="utf-8")) if isinstance(item, str)]
    chinese = [item for item in parse(TWIN.read_text(encoding="utf-8")) if isinstance(item, str)]
    assert english == chinese
    assert load_settings(TWIN) == load_settings(SOURCE)


def test_a_changed_comment_shows_up_as_untranslated() -> None:
    source = SOURCE.read_text(encoding="utf-8").replace(
        "Check a file with:", "Check any file with:"
    )
    assert source != SOURCE.read_text(encoding="utf-8")
    changed = [m for m in messages(source) if m not in catalog()]
    assert len(changed) == 1 and "Check any file with:" in changed[0]
    # Until it is translated, the twin shows the English text rather than a stale Chinese one.
    assert "Check any file with:" in twin(source)
