"""The rules above a list are a short summary; the full text is a tap away: a button bound to
the reader in a private chat, a deep link into one's own private chat from the group."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.lists.reading import RULES_NOT_FOR_YOU
from bot.lists.views import RULES_SHORT
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON
from tests.e2e.helpers import CADRE_WANG, SECRETARY, ask, ask1, button_labels, zh
from tests.e2e.test_redblack import facts_for, issues, publish_ok
from tests.e2e.test_weekly_jobs import mark_read

FULL_RULE = zh("Red list: every weekly report due was on time")
FULL_RULES = zh("📜 Full rules")


async def test_the_rules_in_short_with_the_full_text_a_tap_away(world) -> None:
    facts_for(world)
    sec = SECRETARY.telegram_user_id
    lists, _summary = await ask(world, sec, "/redblack preview week", 2)
    assert FULL_RULE not in lists.text
    assert zh(RULES_SHORT).format(limit=7) in lists.text
    assert button_labels(lists) == [FULL_RULES]
    [[(_label, data)]] = lists.buttons
    assert data is not None and not data.startswith("https://")  # a callback, bound to her

    secretary = world.user(sec)
    await secretary.press(lists, FULL_RULES)
    [full] = await secretary.replies(1, timeout=10)
    assert full.text.startswith("📜 " + zh("Rules of the red and black lists"))
    assert FULL_RULE in full.text and zh(RULES_SHORT).format(limit=7) not in full.text

    # Published to the group: the button there is a deep link, nobody's to press.
    world.clock.advance(timedelta(hours=49))
    await publish_ok(world, sec, "/redblack publish")
    [post] = [m for m in world.emu.chat(GROUP_CHAT_ID).messages if m.from_bot]
    assert FULL_RULE not in post.text and zh(RULES_SHORT).format(limit=7) in post.text
    [issue] = [i for i in await issues(world) if i.status == "published"]
    [[(label, url)]] = post.buttons
    assert label == FULL_RULES
    assert url is not None and re.fullmatch(rf"https://t\.me/\w+\?start=rules-{issue.id}", url)

    # A cadre follows it: the full rules, in his own private chat.
    await mark_read(world, CADRE_WANG.telegram_user_id)  # what he was told meanwhile
    followed = await ask1(world, CADRE_WANG.telegram_user_id, f"/start rules-{issue.id}")
    assert followed.chat_id == CADRE_WANG.telegram_user_id
    assert FULL_RULE in followed.text
    # Someone who is not a member of the township is not shown them.
    stranger = await ask1(world, OTHER_PERSON.telegram_user_id, f"/start rules-{issue.id}")
    assert stranger.text == zh(RULES_NOT_FOR_YOU)
    bogus = await ask1(world, CADRE_WANG.telegram_user_id, "/start rules-x")
    assert bogus.text == zh(RULES_NOT_FOR_YOU)
