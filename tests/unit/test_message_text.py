"""One rule for where message text lives (docs/architecture.md): a message body comes from a
template; short replies, alerts and button labels are translated messages composed in the
feature's views. So a module that handles updates (handlers, flows, services) never puts a
message together from translated pieces: no `Html("…{}…").format(_(…))`, no `join_html`,
no translated line added to another with "\\n"."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Modules whose job is to compose text: the views of each feature.
VIEW_NAMES = ("views.py", "text.py")


def _is_translation(node: ast.AST) -> bool:
    """`_("…")`, `turn._("…")`, or either with `.format(…)`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "_"
    if isinstance(func, ast.Attribute):
        return func.attr == "_" or (func.attr == "format" and _is_translation(func.value))
    return False


def _has_newline(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and "\n" in n.value
        for n in ast.walk(node)
    )


def _is_html_template(node: ast.AST) -> bool:
    """`Html("…").format(…)`: a message laid out in code."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "Html"
    )


def composed_messages(source: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(source)):
        if _is_html_template(node) and any(
            _is_translation(a) for a in [*node.args, *(k.value for k in node.keywords)]
        ):
            yield node.lineno, "Html(…).format(_(…))"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "join_html":
                yield node.lineno, "join_html(…)"
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and (_is_translation(node.left) or _is_translation(node.right))
            and _has_newline(node)
        ):
            yield node.lineno, '… + "\\n" + _(…)'
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.op, ast.Add)
            and _has_newline(node.value)
            and any(_is_translation(n) for n in ast.walk(node.value))
        ):
            yield node.lineno, '+= "\\n" + _(…)'


def handling_modules() -> list[Path]:
    features = [p for p in (ROOT / "bot").iterdir() if p.is_dir() and p.name not in ("core", "cli")]
    return sorted(
        path
        for feature in features
        for path in feature.rglob("*.py")
        if not path.name.endswith(VIEW_NAMES)
    )


@pytest.mark.parametrize("path", handling_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_message_is_put_together_outside_the_views(path: Path) -> None:
    found = [f"line {line}: {what}" for line, what in composed_messages(path.read_text())]
    assert not found, f"{path.relative_to(ROOT)} composes message text: {found}"


@pytest.mark.parametrize(
    "source",
    [
        'text = Html("🗓 <b>{}</b>\\n{}").format(_("Title"), body)',
        'text = Html("{} {}").format("✅", turn._("Saved").format(n=1))',
        "text = join_html([turn._('Saved.'), card])",
        'title += "\\n" + _("Nothing here.")',
        'summary = summary + "\\n" + _("Open objections: {n}.").format(n=2)',
    ],
)
def test_the_check_finds_composed_messages(source: str) -> None:
    assert list(composed_messages(source))


@pytest.mark.parametrize(
    "source",
    [
        'label = ("• " if chosen else "") + _(label)',
        'text = renderer.render("calendar/intro.html.j2", lang, known=known)',
        'await turn.answer(_("Saved."), alert=True)',
    ],
)
def test_the_check_lets_labels_and_templates_be(source: str) -> None:
    assert not list(composed_messages(source))
