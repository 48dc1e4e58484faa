"""`township-bot export`, run as a real subprocess."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from tests.unit.test_cli import run, write_config


def test_export_writes_the_ledger_and_the_printable_page(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    xlsx = tmp_path / "out" / "台账.xlsx"
    result = run(
        "export",
        "--config",
        config,
        "--township",
        "SHZ",
        "--period",
        "2026-10",
        "--out",
        str(xlsx),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    book = load_workbook(BytesIO(xlsx.read_bytes()))
    assert book["说明"]["B2"].value == "沙河子镇"
    assert book["说明"]["B3"].value == "2026年10月（9月28日–11月1日）"
    assert book["红榜"].freeze_panes == "A2"

    html = tmp_path / "page.html"
    result = run(
        "export",
        "--config",
        config,
        "--township",
        "SHZ",
        "--period",
        "month",
        "--format",
        "html",
        "--out",
        str(html),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "沙河子镇" in page and "红榜" in page


def test_export_refuses_unknown_township_and_period(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    out = str(tmp_path / "x.xlsx")
    bad_town = run(
        "--lang",
        "en",
        "export",
        "--config",
        config,
        "--township",
        "XYZ",
        "--out",
        out,
        cwd=tmp_path,
    )
    assert bad_town.returncode == 2 and "Unknown township code 'XYZ'" in bad_town.stderr
    bad_period = run(
        "export",
        "--lang",
        "en",
        "--config",
        config,
        "--township",
        "SHZ",
        "--period",
        "fortnight",
        "--out",
        out,
        cwd=tmp_path,
    )
    assert bad_period.returncode == 2 and "Unknown period 'fortnight'" in bad_period.stderr
    assert not Path(out).exists() and "Traceback" not in bad_period.stderr


def test_export_writes_the_documents_for_print_as_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    config = str(write_config(tmp_path))
    wanted = {
        None: ("台账汇总", "2026年10月"),
        "list": ("红黑榜", "2026年10月"),
        "casebrief": ("政法联席会议", "截至"),
    }
    for document, expected in wanted.items():
        out = tmp_path / f"{document or 'ledger'}.pdf"
        extra = [] if document is None else ["--document", document]
        result = run(
            "export",
            "--config",
            config,
            "--township",
            "SHZ",
            "--period",
            "2026-10",
            "--format",
            "pdf",
            *extra,
            "--out",
            str(out),
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
        for piece in ("沙河子镇", *expected, "第1页"):
            assert piece in text, (document, piece)
    refused = run(
        "--lang",
        "en",
        "export",
        "--config",
        config,
        "--township",
        "SHZ",
        "--format",
        "xlsx",
        "--document",
        "casebrief",
        "--out",
        str(tmp_path / "x.xlsx"),
        cwd=tmp_path,
    )
    assert refused.returncode == 2 and "--document casebrief cannot be written as xlsx" in (
        refused.stderr
    )
