"""What a member types into the case ledger is shown back as they typed it (escaped by
construction: markup stays text), and values too long or too large get a clear message
before anything reaches the database."""

from __future__ import annotations

from tests.e2e.cases_helpers import case_row, count_cases, number_in, register
from tests.e2e.helpers import MEDIATOR_ZHOU, ask1, press, zh
from tests.e2e.test_cases_input import walk_to

ZHOU = MEDIATOR_ZHOU.telegram_user_id
MARKUP = "<b>粗体</b> & <i>斜体</i> <script>x</script>"
WENT_WRONG = zh(
    "Sorry, something went wrong on my side. Please try again; if it keeps happening, "
    "tell your township secretary."
)
TOO_LONG = zh(
    "That text is {length} characters long; the limit is {max}. Please shorten it and "
    "send it again."
)


def refused(world) -> list[tuple[str, int, str]]:
    return [e for e in world.emu.stats.errors if "not modified" not in e[2]]


async def test_markup_typed_into_a_case_is_shown_as_text(world) -> None:
    card = await register(world, ZHOU, parties="<b>张三</b> 13912345678\n李&四", description=MARKUP)
    # The card after saving is HTML the bot wrote (bold number), with the typed text as text.
    assert "<b>📁" not in card.text and "📁 SHZ-2026-0001" in card.text
    assert any(e["type"] == "bold" for e in card.data.get("entities", []))
    assert MARKUP in card.text
    assert "<b>张三</b>（139****5678）、李&四" in card.text
    card = await press(world, ZHOU, card, zh("🤝 Start mediation"))
    assert card.text.startswith(zh("✅ Mediation started.") + "\n\n📁 SHZ-2026-0001")
    await press(world, ZHOU, card, zh("📝 Add a note"))
    card = await ask1(world, ZHOU, MARKUP)
    assert MARKUP in card.text
    await press(world, ZHOU, card, zh("✅ Agreement reached"))
    await press(world, ZHOU, card, zh("Oral (口头)"))
    await ask1(world, ZHOU, "</i>" + MARKUP)
    card = await press(world, ZHOU, await ask1(world, ZHOU, "500"), zh("Nothing paid yet"))
    assert "</i>" + MARKUP in card.text
    row = await case_row(world, number_in(card))
    assert row.description == MARKUP and row.agreement_summary == "</i>" + MARKUP
    assert refused(world) == []


async def test_ten_thousand_characters_at_every_text_step(world) -> None:
    long = "东" * 10_000
    await walk_to(world, ZHOU, "parties")
    assert (await ask1(world, ZHOU, long)).text == zh(
        "A name can be at most {max} characters. Nothing was added."
    ).format(max=32)
    await ask1(world, ZHOU, "/cancel")
    await walk_to(world, ZHOU, "description")
    assert (await ask1(world, ZHOU, long)).text == TOO_LONG.format(length=10_000, max=1000)
    await ask1(world, ZHOU, "/cancel")
    await walk_to(world, ZHOU, "people")
    assert (await ask1(world, ZHOU, long)).text == zh(
        "Please type the number of people involved as a whole number, for example 3."
    )
    await ask1(world, ZHOU, "/cancel")
    card = await register(world, ZHOU)
    not_an_amount = zh(
        "I could not read “{text}” as an amount of money. Please type a number of yuan, "
        "for example 1200, 1,200.50 or 1.2万."
    ).format(text="东" * 40)
    for action, expected in (
        (zh("📝 Add a note"), TOO_LONG.format(length=10_000, max=500)),
        (zh("💴 Record relief (信访救助)"), not_an_amount),
    ):
        prompt = await press(world, ZHOU, card, action)
        assert (await ask1(world, ZHOU, long)).text == expected
        card = await press(world, ZHOU, prompt, zh("✖️ Cancel"))
    assert (await case_row(world, number_in(card))).version == 1
    assert refused(world) == []


async def test_very_long_numbers_get_a_clear_message(world) -> None:
    nines = "9" * 40
    await walk_to(world, ZHOU, "people")
    assert (await ask1(world, ZHOU, nines)).text == zh(
        "The number of people involved must be between {min} and {max}."
    ).format(min=1, max=10000)
    assert (await ask1(world, ZHOU, "１２３４５６７８９０１２３４５６７８９０")).text == zh(
        "The number of people involved must be between {min} and {max}."
    ).format(min=1, max=10000)
    await ask1(world, ZHOU, "2")
    assert (await ask1(world, ZHOU, nines)).text == zh(
        "That amount is too large (at most ¥100,000,000). Please check it."
    )
    assert (await ask1(world, ZHOU, "-" + nines)).text == zh(
        "An amount cannot be negative. Please type the amount again."
    )
    await ask1(world, ZHOU, "/cancel")
    card = await register(world, ZHOU)
    await press(world, ZHOU, card, zh("💴 Record relief (信访救助)"))
    assert (await ask1(world, ZHOU, "1" + "0" * 3000)).text == zh(
        "That amount is too large (at most ¥100,000,000). Please check it."
    )
    await ask1(world, ZHOU, "/cancel")
    # A sequence no database integer holds is not a case number; the echo is shortened.
    reply = await ask1(world, ZHOU, f"/case SHZ-2026-{nines}")
    assert reply.text == zh(
        "“{text}” is not a case number. Case numbers look like {example}: the township "
        "code, the year and a number."
    ).format(text=f"SHZ-2026-{nines}"[:39] + "…", example="SHZ-2026-0058")
    # Leading zeros are only zeros.
    reply = await ask1(world, ZHOU, "/case SHZ-2026-" + "0" * 3000 + "1")
    assert number_in(reply) == "SHZ-2026-0001"
    sent = [m.text or "" for m in world.user(ZHOU).history]
    assert not any(WENT_WRONG in text for text in sent)
    assert refused(world) == []
    assert await count_cases(world) == 1
