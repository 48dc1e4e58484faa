"""Sample dispute cases for the demo: a ledger in several states for 沙河子镇.

Every party is invented. The first case follows the story in the source report (a villager
hurt while guiding a construction crew, compensation negotiated, 信访救助 granted), with
other names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import queries as case_db
from bot.cases.rules import Action, ActionPayload, Tier
from bot.cases.rules import Actor as CaseActor
from bot.core.config import Settings
from bot.core.db import members as member_db
from devkit.sample import PEOPLE, TOWNSHIP_CODE

ZHOU, LI, SUN, SECRETARY = (
    PEOPLE[5].telegram_user_id,
    PEOPLE[1].telegram_user_id,
    PEOPLE[4].telegram_user_id,
    PEOPLE[0].telegram_user_id,
)


@dataclass(frozen=True)
class Step:
    days_ago: int
    action: Action
    payload: ActionPayload = field(default_factory=ActionPayload)
    by: int = ZHOU


@dataclass(frozen=True)
class SampleCase:
    days_ago: int
    village: str
    category: str
    source: str
    tier: Tier
    description: str
    parties: tuple[tuple[str, str | None], ...]
    people: int = 2
    amount: Decimal | None = None
    opened_by: int = ZHOU
    steps: tuple[Step, ...] = field(default_factory=tuple)


def _resolve(days_ago: int, form: str, summary: str, agreed: int | None = None) -> Step:
    return Step(
        days_ago,
        Action.RESOLVE,
        ActionPayload(
            agreement_form=form,
            summary=summary,
            amount_agreed=None if agreed is None else Decimal(agreed),
            amount_paid=None if agreed is None else Decimal(agreed),
        ),
    )


SAMPLE_CASES: tuple[SampleCase, ...] = (
    SampleCase(
        40,
        "沙河子村",
        "damages",
        "screening",
        Tier.COMPLEX,
        "村民为施工队引路时摔倒致肋骨骨折，出院后与施工队协商赔偿。",
        (("贺长林", "13991230001"), ("某工程施工队负责人", None)),
        amount=Decimal(30000),
        steps=(
            Step(39, Action.START_MEDIATION),
            _resolve(30, "written", "施工队一次性赔偿医疗费、误工费共计3万元。", 30000),
            Step(
                29,
                Action.RECORD_RELIEF,
                ActionPayload(relief_amount=Decimal(5000), note="家庭困难，给予信访救助"),
            ),
            Step(22, Action.RECORD_FOLLOWUP, ActionPayload(note="赔偿已到位，当事人身体恢复良好")),
        ),
    ),
    SampleCase(
        25,
        "东岭村",
        "land_forest",
        "walk_in",
        Tier.ORDINARY,
        "两户因承包地地界发生争执。",
        (("石国平", "13991230002"), ("石国安", None)),
        opened_by=LI,
        steps=(
            Step(24, Action.START_MEDIATION),
            _resolve(21, "oral", "请村组干部重新丈量，按原承包合同确定地界。"),
            Step(13, Action.RECORD_FOLLOWUP, ActionPayload(note="双方按新界桩耕种，无争议")),
        ),
    ),
    SampleCase(
        12,
        "西坡村",
        "neighbourhood",
        "screening",
        Tier.ORDINARY,
        "邻居排水沟改道，雨水冲入对方院内。",
        (("冯秀英", "13991230003"), ("冯大勇", "13991230004")),
        steps=(Step(11, Action.START_MEDIATION),),
    ),
    SampleCase(
        9,
        "河口村",
        "labour",
        "assigned_by_superior",
        Tier.COMPLEX,
        "务工人员追讨拖欠工资。",
        (("雷小军", "13991230005"), ("某建材厂", None)),
        people=6,
        amount=Decimal(48000),
        steps=(
            Step(8, Action.START_MEDIATION),
            Step(4, Action.MARK_UNRESOLVED, ActionPayload(note="厂方不认可工时，调解未果")),
            Step(4, Action.REFER, ActionPayload(referral_unit="judicial_office")),
        ),
    ),
    SampleCase(
        5,
        "杨庄村",
        "marriage_family",
        "screening",
        Tier.ORDINARY,
        "老人赡养费分担问题。",
        (("杨桂兰", None), ("杨建华", "13991230006")),
        people=4,
        steps=(Step(4, Action.START_MEDIATION),),
    ),
    SampleCase(
        3,
        "南沟村",
        "land_forest",
        "walk_in",
        Tier.DIFFICULT,
        "山林权属争议，涉及两个村民小组。",
        (("南沟村一组代表", None), ("南沟村三组代表", None)),
        people=30,
        opened_by=SUN,
    ),
    SampleCase(
        20,
        "东岭村",
        "construction",
        "transferred_by_department",
        Tier.COMPLEX,
        "道路施工影响村民出行，要求补偿。",
        (("白振东", "13991230007"), ("某路桥公司", None)),
        people=12,
        amount=Decimal(20000),
        steps=(
            Step(19, Action.START_MEDIATION),
            Step(6, Action.ESCALATE, ActionPayload(note="涉及项目协调，需书记牵头")),
        ),
    ),
    SampleCase(
        10,
        "沙河子村",
        "neighbourhood",
        "screening",
        Tier.ORDINARY,
        "宅基地边界围墙纠纷。",
        (("苏海燕", "13991230008"), ("苏志强", None)),
        steps=(
            Step(10, Action.START_MEDIATION),
            _resolve(8, "written", "以原有界石为准重砌围墙，费用各半。"),
        ),
    ),
)


async def seed_cases(session: AsyncSession, settings: Settings, now: datetime) -> list[str]:
    """Create the sample cases (the sample people must exist); returns their numbers."""
    township = await member_db.township_by_code(session, TOWNSHIP_CODE)
    assert township is not None, "sync_townships must run first"
    tz = settings.township_tz(TOWNSHIP_CODE)
    local_now = now.astimezone(tz)
    config = case_db.case_config(settings)
    villages = {v.name: v.id for v in await member_db.villages_of(session, township.id)}
    actors: dict[int, CaseActor] = {}
    for telegram_id in (ZHOU, LI, SUN, SECRETARY):
        actor = await member_db.actor_for(session, telegram_id)
        assert actor is not None, "seed_people must run first"
        actors[telegram_id] = CaseActor(
            actor.member_id, frozenset(actor.roles_in(township.id)), township.id
        )
    numbers = []
    for sample in sorted(SAMPLE_CASES, key=lambda s: -s.days_ago):
        case = await case_db.create_case(
            session,
            township=township,
            data=case_db.NewCase(
                village_id=villages[sample.village],
                category=sample.category,
                source=sample.source,
                tier=sample.tier,
                description=sample.description,
                people_count=sample.people,
                amount=sample.amount,
                parties=[case_db.PartyInput(n, p) for n, p in sample.parties],
            ),
            actor=actors[sample.opened_by],
            at=local_now - timedelta(days=sample.days_ago),
            config=config,
        )
        for step in sample.steps:
            case = await case_db.act(
                session,
                case_id=case.id,
                action=step.action,
                payload=step.payload,
                actor=actors[step.by],
                at=local_now - timedelta(days=step.days_ago),
                config=config,
            )
        numbers.append(case.number)
    return numbers
