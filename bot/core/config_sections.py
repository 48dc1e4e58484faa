"""The settings of the weekly work discipline: when the scheduled messages go out, the
quotas, the calendar's overrides, the Friday report, the field visits, the dispute cases and
the red and black lists. Each section may be given once for all townships; the jobs and the
lists may also be given per township (`bot.core.config.TownshipConfig`).
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.core.config_checks import HHMM, STRICT, TERM_KEY, invalid, unique_names


class _Strict(BaseModel):
    model_config = STRICT


JOB_NAMES = (
    "report_open",
    "report_last_call",
    "report_deadline",
    "field_nudge",
    "field_last_call",
    "monday_agenda",
    "dispute_reminders",
    "weekly_summary",
    "monthly_summary",
    "lists_preview",
)


class JobsConfig(_Strict):
    """When the scheduled messages go out (township time). A township may override it."""

    disabled: list[Literal[JOB_NAMES]] = []  # type: ignore[valid-type]
    report_last_call_hours: float = Field(3, ge=0, le=48)
    field_nudge_weekday: int = Field(3, ge=1, le=7)
    field_nudge_time: HHMM = "15:00"
    field_last_call_time: HHMM = "09:00"
    agenda_time: HHMM = "08:00"
    dispute_reminders_time: HHMM = "09:00"
    # Ignored: the dispute reminders follow [cases] due_soon_days and escalation_after_days.
    # Still accepted so that a config written for an older version loads; check-config warns.
    dispute_due_within_days: int | None = None
    dispute_escalate_after_days: int | None = None
    weekly_summary_after_minutes: int = Field(60, ge=0, le=24 * 60)
    monthly_summary_time: HHMM = "09:00"


class RedBlackWeightsConfig(_Strict):
    """Scoreboard points per unit of each rule (negative = deduction)."""

    field_day: int = Field(2, ge=-100, le=100)
    problem_solved: int = Field(3, ge=-100, le=100)
    screening: int = Field(2, ge=-100, le=100)
    case_resolved: int = Field(5, ge=-100, le=100)
    late_report: int = Field(-5, ge=-100, le=100)
    missing_report: int = Field(-10, ge=-100, le=100)
    field_day_short: int = Field(-3, ge=-100, le=100)


class RedBlackConfig(_Strict):
    """Red and black lists (红黑榜) and the scoreboard; maps onto domain RedBlackRules."""

    # Screenings / problems for the red list: at quota every week, or summed over the period.
    quota_mode: Literal["weekly", "period"] = "weekly"
    # A case overdue by more than this many days puts its owner on the black list.
    black_overdue_days: int = Field(7, ge=0, le=365)
    # Non-exempt weeks of data a member needs in the period to be listed at all.
    min_data_weeks_week: int = Field(1, ge=1, le=1)
    min_data_weeks_month: int = Field(2, ge=1, le=5)
    min_data_weeks_quarter: int = Field(6, ge=1, le=14)
    # Optional caps; everybody tied at the cap is listed and the tie is stated.
    max_red: int | None = Field(None, ge=1)
    max_black: int | None = Field(None, ge=1)
    points_enabled: bool = True
    weights: RedBlackWeightsConfig = RedBlackWeightsConfig()
    rank_by: Literal["person", "unit", "both"] = "person"
    # Hours a member named on a preview has to object before the list can be published.
    objection_window_hours: int = Field(48, ge=0, le=24 * 30)
    # 包村 teams: village name -> unit name. A cadre's unit is their first 包村 village,
    # or the team that village belongs to here.
    village_units: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = {}


DEFAULT_ACTIVITIES = ["听取民意", "政策宣传", "矛盾化解", "帮办实事", "助力发展"]
DEFAULT_SECTIONS = ["本周完成", "下周计划", "问题与需求", "重点工作进展"]


class CalendarConfig(_Strict):
    """Overrides of the Chinese workday calendar (chinese_calendar + Mon–Fri fallback)."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarConfig:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise invalid("holiday_and_workday", dates=listed)
        return self


class QuotasConfig(_Strict):
    """Weekly quota per cadre for a normal 5-workday week, pro-rated by available workdays."""

    field_days: int = Field(3, ge=0, le=7)
    dispute_screenings: int = Field(1, ge=0, le=100)
    problems_solved: int = Field(1, ge=0, le=100)
    rounding: Literal["half_up", "ceil", "floor", "none"] = "half_up"


class ReportConfig(_Strict):
    """The Friday report (周五交账): window, sections and their length limit."""

    open_time: time = time(12, 0)
    deadline_time: time = time(18, 0)
    open_workdays_before: int = Field(1, ge=0, le=6)
    sections: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=lambda: list(DEFAULT_SECTIONS), min_length=1, max_length=8
    )
    # Pre-filled with the digest of the week's visit logs ("" for none).
    digest_section: str = "本周完成"
    # Each line is stored as a separate item for the Monday agenda ("" for none).
    needs_section: str = "问题与需求"
    section_limit: int = Field(1000, ge=50, le=3500)

    _sections = field_validator("sections")(lambda cls, v: unique_names(v, "sections"))

    @model_validator(mode="after")
    def _consistent(self) -> ReportConfig:
        if self.open_time.tzinfo is not None or self.deadline_time.tzinfo is not None:
            raise invalid("local_times")
        if self.open_time >= self.deadline_time:
            raise invalid("open_before_deadline")
        for key in ("digest_section", "needs_section"):
            value = getattr(self, key)
            if value and value not in self.sections:
                raise invalid("not_a_section", key=key, value=repr(value))
        return self


class VisitsConfig(_Strict):
    """Field-visit logs (下乡记录)."""

    activities: list[Annotated[str, Field(max_length=12)]] = Field(
        default_factory=lambda: list(DEFAULT_ACTIVITIES), min_length=1, max_length=10
    )
    # How many days back a visit may be logged (0: today only).
    backfill_days: int = Field(3, ge=0, le=31)
    # The activity that means dispute work: a log with it can link to, or open, a case.
    dispute_activity: str = "矛盾化解"

    _activities = field_validator("activities")(lambda cls, v: unique_names(v, "activities"))


class CaseTermConfig(_Strict):
    """One entry of a case vocabulary list: a stable key (stored with the case) and its label."""

    key: Annotated[str, Field(pattern=TERM_KEY)]
    label: Annotated[str, Field(min_length=1, max_length=24)]


def _terms(*pairs: tuple[str, str]) -> list[CaseTermConfig]:
    return [CaseTermConfig(key=k, label=v) for k, v in pairs]


class CaseTierDaysConfig(_Strict):
    """Calendar days from registration (or reopening) to the deadline, per difficulty tier."""

    ordinary: int = Field(7, ge=1, le=365)
    complex: int = Field(15, ge=1, le=365)
    difficult: int = Field(30, ge=1, le=365)


class CasesConfig(_Strict):
    """The dispute case ledger (矛盾纠纷排查化解台账)."""

    categories: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("neighbourhood", "邻里纠纷"),
            ("marriage_family", "婚姻家庭"),
            ("land_forest", "土地山林"),
            ("labour", "劳资纠纷"),
            ("damages", "损害赔偿"),
            ("construction", "工程施工"),
            ("other", "其他"),
        )
    )
    sources: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("screening", "排查发现"),
            ("walk_in", "群众来访"),
            ("assigned_by_superior", "上级交办"),
            ("transferred_by_department", "部门转办"),
        )
    )
    referral_units: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("police_station", "派出所"),
            ("court", "法庭"),
            ("judicial_office", "司法所"),
            ("traffic_police", "交警中队"),
        )
    )
    tier_days: CaseTierDaysConfig = CaseTierDaysConfig()
    # A resolved case is due for its follow-up visit (回访) this many days after resolution.
    followup_after_days: int = Field(7, ge=0, le=365)
    # An overdue case is due for escalation to the secretary after this many days overdue.
    escalation_after_days: int = Field(3, ge=0, le=365)
    # "Due soon" reminders start this many days before the deadline.
    due_soon_days: int = Field(2, ge=0, le=30)

    @model_validator(mode="after")
    def _unique_terms(self) -> CasesConfig:
        for name in ("categories", "sources", "referral_units"):
            terms: list[CaseTermConfig] = getattr(self, name)
            if not terms:
                raise invalid("empty_names", what=name)
            for attr in ("key", "label"):
                values = [getattr(t, attr) for t in terms]
                dupes = sorted({v for v in values if values.count(v) > 1})
                if dupes:
                    raise invalid("duplicate_terms", name=name, attr=attr, values=", ".join(dupes))
        return self
