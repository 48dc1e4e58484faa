"""/villages: a secretary adds, renames, retires and restores villages and sets a village's
point by sharing a location; typed names are checked (length, characters, duplicates);
every change reaches the running bot's directory at once; buttons answer only their owner,
for their own township, and an old one changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.db import members as member_db
from bot.core.flows import STALE
from bot.core.models import AuditEntry, Village
from devkit.sample import ADMIN, OTHER_PERSON
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask1, button_labels, press, press_alert, zh

SEC = SECRETARY.telegram_user_id
ADD = "➕ Add a village"
SAVED = "✅ Saved."


async def township_id(world, code: str = "SHZ") -> int:
    async with world.svc.transaction() as session:
        return (await member_db.township_by_code(session, code)).id


async def village_named(world, name: str) -> Village | None:
    async with world.svc.transaction() as session:
        return await session.scalar(select(Village).where(Village.name == name))


def in_directory(world, township: int) -> list[str]:
    return [v.name for v in world.svc.directory.villages_of(township)]


async def add(world, name: str):
    listing = await ask1(world, SEC, "/villages")
    prompt = await press(world, SEC, listing, zh(ADD))
    return prompt, await ask1(world, SEC, name)


async def test_the_list_and_a_village_card(world) -> None:
    listing = await ask1(world, SEC, "/villages")
    assert listing.text.startswith(zh("Villages of {township}").format(township="沙河子镇"))
    assert "1. 沙河子村 📍" in listing.text and "6. 南沟村" in listing.text
    assert "南沟村 📍" not in listing.text
    assert button_labels(listing)[:2] == ["沙河子村 📍", "东岭村 📍"]
    assert zh(ADD) in button_labels(listing)
    card = await press(world, SEC, listing, "南沟村")
    assert card.text.startswith("南沟村 — 沙河子镇")
    assert zh("Point: not set. Share the village's location to set it.") in card.text
    back = await press(world, SEC, card, zh("◀️ Back to the villages"))
    assert back.text == listing.text


async def test_add_a_village_checked_name_by_name(world) -> None:
    shz = await township_id(world)
    prompt, reply = await add(world, "<b>新村</b>")
    assert prompt.text == zh("Type the name of the new village ({min}–{max} characters).").format(
        min=2, max=20
    )
    assert reply.text == zh(
        "A village name may hold letters, digits, single spaces and {marks} only. "
        "Please type another."
    ).format(marks="·・-（）()")
    too_long = await ask1(world, SEC, "村" * 10_000)
    assert too_long.text == zh(
        "A village name must be {min}–{max} characters long, and “{name}” has {count}. "
        "Please type another."
    ).format(min=2, max=20, name="村" * 29 + "…", count=10_000)
    taken = await ask1(world, SEC, "东 岭 村")
    assert taken.text == zh(
        "This township already has a village called {name}. Please type another."
    ).format(name="东岭村")
    # A location where a name is expected: asked for the name as text.
    await world.user(SEC).send_location(33.86, 109.98)
    asked = await world.user(SEC).reply(timeout=10)
    assert asked.text == zh("Please type the village's name as text, or send /cancel to stop.")
    assert await village_named(world, "<b>新村</b>") is None
    card = await ask1(world, SEC, "  新庄村 ")
    assert card.text.startswith(zh(SAVED) + "\n新庄村 — 沙河子镇")
    assert "新庄村" in in_directory(world, shz)
    village = await village_named(world, "新庄村")
    assert village.active and village.config_name is None and village.township_id == shz
    # The flow ended: more text is not a village name.
    after = await ask1(world, SEC, "又一个村")
    assert after.text == zh("I did not understand that. Send /help to see what you can do.")
    # The member card's 包村 toggles offer it at once.
    listing = await ask1(world, SEC, "/members")
    card = await press(world, SEC, listing, CADRE_LI.name)
    toggles = await press(world, SEC, card, zh("🏘 Villages (包村)"))
    assert "⬜ 新庄村" in button_labels(toggles)
    async with world.svc.transaction() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "village.add" in actions


async def test_rename_retire_restore(world) -> None:
    shz = await township_id(world)
    listing = await ask1(world, SEC, "/villages")
    card = await press(world, SEC, listing, "南沟村")
    prompt = await press(world, SEC, card, zh("✏️ Rename"))
    assert prompt.text == zh("Type the new name of {name} ({min}–{max} characters).").format(
        name="南沟村", min=2, max=20
    )
    same = await ask1(world, SEC, "南沟村")
    assert same.text == zh("That is already its name. Type another, or send /cancel.")
    renamed = await ask1(world, SEC, "南沟新村")
    assert renamed.text.startswith(zh(SAVED) + "\n南沟新村 — 沙河子镇")
    assert "南沟新村" in in_directory(world, shz) and "南沟村" not in in_directory(world, shz)

    retired = await press(world, SEC, renamed, zh("🗄 Retire"))
    assert zh("Status: {status}").format(status=zh("retired")) in retired.text
    assert "南沟新村" not in in_directory(world, shz)
    listing = await ask1(world, SEC, "/villages")
    assert "南沟新村" not in listing.text
    label = zh("🗄 Retired villages ({count})").format(count=1)
    assert label in button_labels(listing)
    # A retired name cannot be taken again: restore it instead.
    prompt = await press(world, SEC, listing, zh(ADD))
    refused = await ask1(world, SEC, "南沟新村")
    assert refused.text == zh(
        "{name} is a retired village of this township: restore it from the retired villages "
        "instead. Type another name, or send /cancel."
    ).format(name="南沟新村")
    cancelled = await press(world, SEC, prompt, zh("✖️ Cancel"))
    assert cancelled.text.startswith(zh("Villages of {township}").format(township="沙河子镇"))
    old_retire = next(d for row in renamed.buttons for label_, d in row if label_ == zh("🗄 Retire"))

    listing = await ask1(world, SEC, "/villages")
    retired_list = await press(world, SEC, listing, label)
    assert retired_list.text.startswith(
        zh("Retired villages of {township}").format(township="沙河子镇")
    )
    card = await press(world, SEC, retired_list, "南沟新村")
    restored = await press(world, SEC, card, zh("♻️ Restore"))
    assert zh("Status: {status}").format(status=zh("in use")) in restored.text
    assert "南沟新村" in in_directory(world, shz)
    # The earlier card's Retire still names this village: pressed, it retires it; pressed
    # again, it says so and changes nothing.
    answer = await press_alert(world, SEC, restored, old_retire)
    assert answer.text == zh("Retired") and not answer.show_alert
    answer = await press_alert(world, SEC, restored, old_retire)
    assert answer.text == zh("That village is already retired.") and answer.show_alert
    assert "南沟新村" not in in_directory(world, shz)


async def test_set_a_village_point_by_sharing_a_location(world) -> None:
    listing = await ask1(world, SEC, "/villages")
    card = await press(world, SEC, listing, "南沟村")
    prompt = await press(world, SEC, card, zh("📍 Set the point"))
    assert "南沟村" in prompt.text and "1500" in prompt.text
    typed = await ask1(world, SEC, "33.85, 109.99")
    assert typed.text == zh(
        "Please share the village's location (📎 → Location), or send /cancel to stop."
    )
    await world.user(SEC).send_location(33.85123, 109.99456)
    saved = await world.user(SEC).reply(timeout=10)
    assert saved.text.startswith(zh(SAVED))
    assert "33.85123" in saved.text and "109.99456" in saved.text
    village = await village_named(world, "南沟村")
    assert (village.lat, village.lon) == (33.85123, 109.99456)
    info = world.svc.directory.village(village.id)
    assert (info.lat, info.lon) == (33.85123, 109.99456)
    # The prompt's Cancel, pressed after the point was saved, is an old button.
    user = world.user(SEC)
    await user.press(prompt, zh("✖️ Cancel"))
    assert (await user.callback_answer(timeout=10)).text == zh(STALE)
    # /cancel mid-way keeps the old point.
    await press(world, SEC, saved, zh("📍 Set the point"))
    assert (await ask1(world, SEC, "/cancel")).text == zh(
        "Cancelled. Nothing was saved from that step. Send /help to see what you can do."
    )
    assert (await village_named(world, "南沟村")).lat == 33.85123


async def test_only_managers_of_the_township_and_only_its_villages(world) -> None:
    shz = await township_id(world)
    djh_village = (await village_named(world, "西河村")).id
    shz_village = (await village_named(world, "南沟村")).id
    # A cadre is refused the command; a group chat gets the private-chat answer.
    refused = await ask1(world, CADRE_LI.telegram_user_id, "/villages")
    assert refused.text.startswith(zh("Sorry, this is only for: {roles}.").split("{")[0])
    # Another township's secretary with correctly signed data for 沙河子镇: refused.
    carrier = await ask1(world, OTHER_PERSON.telegram_user_id, "/help")
    pack = world.svc.codec.pack
    for data in (
        pack(OTHER_PERSON.telegram_user_id, "vil", "o", shz, shz_village),
        pack(OTHER_PERSON.telegram_user_id, "vil", "r", shz, shz_village),
        pack(OTHER_PERSON.telegram_user_id, "vil", "a", shz),
    ):
        answer = await press_alert(world, OTHER_PERSON.telegram_user_id, carrier, data)
        assert answer.text == zh("You can only manage members of your own township.")
    # Our secretary, through our township, at another township's village: refused.
    carrier = await ask1(world, SEC, "/help")
    for action in ("o", "r", "n", "p"):
        answer = await press_alert(world, SEC, carrier, pack(SEC, "vil", action, shz, djh_village))
        assert answer.text == zh("That village is not in this township.")
    # The secretary's buttons are theirs: the admin pressing them is refused.
    listing = await ask1(world, SEC, "/villages")
    data = next(d for row in listing.buttons for label, d in row if label == "南沟村")
    admin_carrier = await ask1(world, ADMIN.telegram_user_id, "/help")
    answer = await press_alert(world, ADMIN.telegram_user_id, admin_carrier, data)
    assert answer.text == zh(STALE)
    # Malformed data (a village that is not a number): an old button.
    answer = await press_alert(world, SEC, carrier, pack(SEC, "vil", "o", shz, "x"))
    assert answer.text == zh(STALE)
    assert (await village_named(world, "南沟村")).active
    assert "西河村" in in_directory(world, await township_id(world, "DJH"))


async def test_an_admin_chooses_the_township(world) -> None:
    picker = await ask1(world, ADMIN.telegram_user_id, "/villages")
    assert picker.text == zh("Which township?")
    assert button_labels(picker) == ["沙河子镇", "大荆镇"]
    listing = await press(world, ADMIN.telegram_user_id, picker, "大荆镇")
    assert listing.text.startswith(zh("Villages of {township}").format(township="大荆镇"))
    assert "西河村" in listing.text
