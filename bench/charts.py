"""Time to draw the charts and print the PDFs, as the bot does it (a child process each).

    python bench/charts.py --cadres 30 [--repeat 3] [--json]

`in process` is the drawing alone, matplotlib already imported (the median of `--repeat`);
`child` is what a job or a command waits for: a `python -m bot.core.worker` process that
imports what it needs, draws or prints, and exits (wall time, and its CPU time, which does
not depend on how busy the machine is). `peak` is the child's peak resident memory, which
the bot never holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from bot.core import worker
from bot.core.charts import (
    Dashboard,
    FieldDaysChart,
    FieldDaysRow,
    FunnelChart,
    FunnelStage,
    TrendChart,
    TrendPoint,
    chart_svg,
    dashboard_png,
)
from bot.core.printing import chart_src, page_css


def charts(cadres: int) -> dict[str, Any]:
    rows = [
        FieldDaysRow(name=f"干部{i:03d}", done=i % 5, required=3, leave_days=i % 3 and 1)
        for i in range(cadres)
    ]
    return {
        "field_days": FieldDaysChart(rows=rows),
        "funnel": FunnelChart(
            stages=[
                FunnelStage(label=label, count=count)
                for label, count in (("排查", 40), ("登记", 12), ("达成协议", 8), ("回访", 5))
            ]
        ),
        "trend": TrendChart(
            points=[
                TrendPoint(label=f"11月{d}日", on_time=0.6 + d % 3 / 10, field=0.5 + d % 4 / 10)
                for d in range(1, 9)
            ]
        ),
    }


def page(cadres: int) -> str:
    rows = "".join(
        f"<tr><td>干部{i:03d}</td><td>{i % 5}/3</td><td>{i % 3}</td></tr>" for i in range(cadres)
    )
    return (
        f'<html><head><meta charset="utf-8"><style>{page_css("zh_CN")}'
        'body { font-family: "Noto Sans CJK SC"; }</style></head><body>'
        '<h1><span class="township">沙河子镇</span> 台账汇总</h1>'
        '<p><span class="period">2026年第47周</span></p>'
        f'<img class="chart" src="{chart_src("field_days")}">'
        f'<img class="chart" src="{chart_src("funnel")}">'
        f"<table>{rows}</table></body></html>"
    )


def in_process(draw: Callable[[], bytes], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def in_child(make: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    await make()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


async def main(cadres: int, repeat: int) -> dict[str, Any]:
    specs = charts(cadres)
    board = Dashboard(title="沙河子镇 · 11月16日–11月22日", charts=list(specs.values()))
    dashboard_png(board)  # imports matplotlib and loads the font once
    drawn = {
        "dashboard_png": in_process(lambda: dashboard_png(board), repeat),
        **{
            f"{name}_svg": in_process(lambda c=chart: chart_svg(c, "zh_CN"), repeat)  # type: ignore[misc]
            for name, chart in specs.items()
        },
    }
    html = page(cadres)
    two = {k: specs[k] for k in ("field_days", "funnel")}
    child = {
        "start_only": await in_child(lambda: worker.inline_charts("<p>x</p>", {}, "zh_CN")),
        "dashboard_png": await in_child(lambda: worker.draw_png(board)),
        "pdf_two_charts": await in_child(lambda: worker.print_pdf(html, two, "zh_CN")),
        "pdf_no_chart": await in_child(lambda: worker.print_pdf(html, {}, "zh_CN")),
    }
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "machine": machine(),
        "cadres": cadres,
        "in_process_s": {k: round(v, 3) for k, v in drawn.items()},
        "child": child,
        "child_peak_rss_mb": round(peak, 1),
    }


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['machine']}; {result['cadres']} cadres"]
    lines += [f"  in process  {k:<16} {v:.3f} s" for k, v in result["in_process_s"].items()]
    lines += [
        f"  child       {k:<16} {v['wall_s']:.2f} s wall, {v['cpu_s']:.2f} s CPU"
        for k, v in result["child"].items()
    ]
    lines.append(f"  child peak resident memory {result['child_peak_rss_mb']} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cadres", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcome = asyncio.run(main(args.cadres, args.repeat))
    print(json.dumps(outcome, ensure_ascii=False) if args.json else render(outcome))
