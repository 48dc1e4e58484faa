"""XLSX workbooks (台账): sheets from headers and rows, with Chinese headers, a frozen header
row, column widths that fit the content (CJK characters count double) and real date cells.

openpyxl is imported when a workbook is written: it imports numpy and Pillow (matplotlib's
dependencies) when they are installed, which the bot need not hold from its start.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
HEADER_FILL = "DDDDDD"

VISIT_HEADERS = (
    "日期",
    "干部",
    "村",
    "活动（五个到一线）",
    "排查矛盾纠纷（次）",
    "解决实际问题（件）",
    "解决的问题",
    "备注",
    "定位核验",
    "补录",
)
REPORT_HEADERS = (
    "周次",
    "干部",
    "提交时间",
    "状态",
    "下乡天数",
    "排查矛盾纠纷",
    "解决问题",
    "下周计划",
    "问题与需求",
)
CASE_HEADERS = ("案件编号", "登记日期", "村", "纠纷类型", "承办人", "办结期限", "状态", "化解日期")


@dataclass(frozen=True)
class Sheet:
    title: str  # at most 31 characters (Excel's limit)
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] | None = None  # computed from the content when None


def display_width(value: Any) -> float:
    """Width in Excel character units: East Asian wide characters count as two."""
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return 16.0
    if isinstance(value, date):
        return 10.0
    text = str(value)
    longest = 0.0
    for line in text.splitlines() or [""]:
        longest = max(
            longest,
            sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in line),
        )
    return longest


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    widths = []
    for i, header in enumerate(headers):
        cells = [display_width(header), *(display_width(r[i]) for r in rows if i < len(r))]
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, max(cells) + 2)))
    return widths


def _cell_value(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the township's local time.
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def write_xlsx(sheets: Sequence[Sheet], tz: ZoneInfo | None = None) -> bytes:
    """The workbook as bytes. Aware datetimes are written in `tz` (default Asia/Shanghai)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    zone = tz or ZoneInfo("Asia/Shanghai")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31])
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center")
        for row in sheet.rows:
            ws.append([_cell_value(v, zone) for v in row])
            for cell, value in zip(ws[ws.max_row], row, strict=False):
                if isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        widths = sheet.widths or column_widths(sheet.headers, sheet.rows)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if sheet.rows:
            ws.auto_filter.ref = ws.dimensions
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
