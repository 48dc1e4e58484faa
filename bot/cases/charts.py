"""The dispute funnel the charts show: screened → registered → agreement → followed up."""

from __future__ import annotations

from bot.cases.rules import DisputeStats
from bot.core.charts import FunnelChart, FunnelStage, text_for


def dispute_funnel(stats: DisputeStats, language: str) -> FunnelChart:
    """Screenings logged in visits, then the cases registered in the period: those with an
    agreement (回访 done or not yet), and those closed after the follow-up visit."""
    _ = text_for(language)
    agreed = stats.resolved.count + stats.resolved_pending_followup.count
    return FunnelChart(
        stages=[
            FunnelStage(label=_("screenings"), count=stats.screened.count),
            FunnelStage(label=_("cases registered"), count=stats.registered.count),
            FunnelStage(label=_("agreement reached"), count=agreed),
            FunnelStage(label=_("followed up, closed"), count=stats.resolved.count),
        ],
        note=_("Screenings count visits; the cases are those registered in the period."),
    )
