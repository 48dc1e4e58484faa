"""The chart of field days per cadre, from a list's snapshot (as it was published) or from
the period's week facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.charts import FieldDaysChart, FieldDaysRow
from bot.lists.rules import CadreWeek


def snapshot_field_days(snapshot: Mapping[str, Any]) -> FieldDaysChart:
    """Field days per cadre named in the snapshot; the quota after leave and the leave taken
    when the snapshot has them (issues published before they were recorded do not)."""
    members = snapshot["members"]
    required = snapshot.get("field_required")
    leave = snapshot.get("leave_days", {})
    rows = []
    for mid, done in snapshot.get("field_days", {}).items():
        quota = None if required is None else int(required.get(mid, 0))
        days_off = int(leave.get(mid, 0))
        rows.append(
            FieldDaysRow(
                name=str(members.get(mid, {}).get("name", mid)),
                done=int(done),
                required=quota,
                leave_days=days_off,
                away=quota == 0 and days_off > 0 and int(done) == 0,
            )
        )
    return FieldDaysChart(rows=rows)


def weeks_field_days(weeks: Sequence[CadreWeek], names: Mapping[int, str]) -> FieldDaysChart:
    """Field days per cadre summed over their weeks (a week away all week has no quota)."""
    sums: dict[int, list[int]] = {}
    for w in weeks:
        row = sums.setdefault(w.member_id, [0, 0, 0, 0, 0])  # done, required, leave, weeks, away
        row[0] += w.field_days_done
        row[1] += 0 if w.fully_exempt else w.field_days_required
        row[2] += w.exempt_days
        row[3] += 1
        row[4] += 1 if w.fully_exempt else 0
    return FieldDaysChart(
        rows=[
            FieldDaysRow(
                name=names.get(mid, str(mid)),
                done=done,
                required=required,
                leave_days=leave,
                away=count == away,
            )
            for mid, (done, required, leave, count, away) in sums.items()
        ]
    )
