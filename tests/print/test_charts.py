"""Charts drawn for real (matplotlib in a child process): decoded, measured, not blank."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from bot.core.charts import (
    MAX_ROWS,
    Dashboard,
    FieldDaysChart,
    FieldDaysRow,
    FunnelChart,
    FunnelStage,
    TrendChart,
    TrendPoint,
    dashboard_pixels,
)
from bot.core.fonts import INSTALL_HINT, NoCjkFont, choose, find_cjk_font
from bot.core.worker import NO_FONT, Job, draw_png, inline_charts, print_pdf


def board(cadres: int = 5) -> Dashboard:
    rows = [
        FieldDaysRow(name=f"干部{i}", done=i % 4, required=3, leave_days=i % 3)
        for i in range(cadres)
    ]
    rows.append(FieldDaysRow(name="赵秀兰", done=0, required=0, leave_days=5, away=True))
    return Dashboard(
        title="沙河子镇 · 11月16日–11月22日",
        charts=[
            FieldDaysChart(rows=rows),
            FunnelChart(
                stages=[FunnelStage(label="排查", count=12), FunnelStage(label="回访办结", count=2)]
            ),
            TrendChart(
                points=[TrendPoint(label=f"第{w}周", on_time=0.5, field=None) for w in range(8)]
            ),
        ],
    )


def ink(png: bytes) -> tuple[tuple[int, int], float]:
    """The image's size and the share of its pixels that are not white."""
    image = Image.open(BytesIO(png))
    assert image.format == "PNG"
    grey = image.convert("L")
    dark = sum(grey.histogram()[:200])
    return image.size, dark / (grey.width * grey.height)


async def test_the_dashboard_is_a_png_of_the_computed_size_with_something_drawn() -> None:
    small, large = board(3), board(30)
    png = await draw_png(small)
    size, share = ink(png)
    assert size == dashboard_pixels(small) and size[0] == 1080
    assert 0.02 < share < 0.6  # bars, text and lines on a white page
    # Taller with more cadres, never wider; at most MAX_ROWS bars.
    assert dashboard_pixels(large)[1] > size[1] and dashboard_pixels(large)[0] == 1080
    assert dashboard_pixels(board(MAX_ROWS + 50)) == dashboard_pixels(board(MAX_ROWS - 1))


async def test_names_are_drawn_as_text_not_as_markup_or_mathtext() -> None:
    odd = Dashboard(
        title="<b>镇</b> & $x$",
        charts=[FieldDaysChart(rows=[FieldDaysRow(name="$王$<script>", done=1, required=3)])],
    )
    size, share = ink(await draw_png(odd))
    assert size == dashboard_pixels(odd) and share > 0.01


async def test_a_page_gets_its_charts_inline_as_svg_and_prints_as_pdf() -> None:
    chart = board().charts[0]
    html = '<html><body><h1>沙河子镇</h1><img class="chart" src="chart:field_days"></body></html>'
    page = await inline_charts(html, {"field_days": chart}, "zh_CN")
    assert 'src="data:image/svg+xml;base64,' in page and "chart:" not in page
    pdf = await print_pdf(html, {"field_days": chart}, "zh_CN")
    assert pdf.startswith(b"%PDF")


def test_without_a_chinese_font_drawing_stops_with_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(NoCjkFont, match="fonts-noto-cjk"):
        find_cjk_font([])
    with pytest.raises(NoCjkFont):
        find_cjk_font(None, [("Noto Sans CJK SC", str(tmp_path / "missing.ttc"))])
    found = choose(
        [
            ("Noto Sans CJK JP", "/f/jp.ttc", "Regular"),
            ("Noto Sans CJK SC", "/f/sc-bold.ttc", "Bold"),
            ("Noto Sans CJK SC", "/f/sc.ttc", "Regular"),
        ]
    )
    assert found is not None and (found.family, found.path.name) == ("Noto Sans CJK SC", "sc.ttc")
    # The child on a machine whose fontconfig knows no font: a clear message, no picture.
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?><fontconfig></fontconfig>')
    job = Job(op="png", dashboard=board(2)).model_dump_json()
    done = subprocess.run(
        [sys.executable, "-m", "bot.core.worker"],
        input=job.encode(),
        capture_output=True,
        env={**os.environ, "FONTCONFIG_FILE": str(config)},
        timeout=300,
        check=False,
    )
    assert done.returncode == NO_FONT and not done.stdout
    assert done.stderr.decode().strip() == INSTALL_HINT
