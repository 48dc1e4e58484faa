"""The XLSX writer, opened again with openpyxl and checked cell by cell."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.core.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    Sheet,
    column_widths,
    display_width,
    write_xlsx,
)


def test_workbook_cells_headers_frozen_rows_widths_and_dates() -> None:
    data = write_xlsx(
        [
            Sheet(
                "走访台账",
                ("日期", "干部", "事项", "时间", "次数"),
                [
                    (
                        date(2026, 11, 16),
                        "李春华",
                        "入户走访，排查邻里纠纷",
                        datetime(2026, 11, 16, 2, 30, tzinfo=UTC),
                        2,
                    ),
                    (date(2026, 11, 17), "王建军", "第一行\n第二行", None, 0),
                ],
            ),
            Sheet("空表", ("案件编号", "状态"), []),
        ],
        ZoneInfo("Asia/Shanghai"),
    )
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["走访台账", "空表"]
    ws = book["走访台账"]
    assert [c.value for c in ws[1]] == ["日期", "干部", "事项", "时间", "次数"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value == datetime(2026, 11, 16) and ws["A2"].number_format == DATE_FORMAT
    # Aware datetimes are written in township time (UTC 02:30 is 10:30 in Shanghai).
    assert ws["D2"].value == datetime(2026, 11, 16, 10, 30)
    assert ws["D2"].number_format == DATETIME_FORMAT
    assert ws["B3"].value == "王建军" and ws["C3"].value == "第一行\n第二行"
    assert ws["C3"].alignment.wrap_text is True
    assert ws["E3"].value == 0 and ws["D3"].value is None
    assert ws.max_row == 3
    # Widths fit the content: CJK characters count double.
    assert ws.column_dimensions["C"].width == 2 * len("入户走访，排查邻里纠纷") + 2
    assert ws.column_dimensions["B"].width == 8
    assert ws.column_dimensions["A"].width == 12
    assert ws.column_dimensions["D"].width == 18
    assert ws.column_dimensions["E"].width == 6
    assert ws.auto_filter.ref == "A1:E3"
    empty = book["空表"]
    assert [c.value for c in empty[1]] == ["案件编号", "状态"]
    assert empty.freeze_panes == "A2" and empty.max_row == 1


def test_widths_are_bounded() -> None:
    assert display_width("ab中文") == 6
    assert display_width(None) == 0
    assert column_widths(("x",), [("y" * 500,)]) == [60.0]
    assert column_widths(("x",), []) == [6.0]
