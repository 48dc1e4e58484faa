"""A red/black list on both channels: the preview tells the named members privately, one
objects within the window, the secretary upholds it after the window and publishes; the
list reaches the township's group and the printable page the secretary."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader

from tests.e2e.helpers import CADRE_LI, CADRE_WANG, MEDIATOR_ZHOU, SECRETARY, zh
from tests.e2e.test_redblack import BLACK, OBJECT, RED, facts_for
from tests.scenarios.channels import Channel, ask1

SEC = SECRETARY.telegram_user_id
WANG = CADRE_WANG.telegram_user_id


async def test_a_list_previewed_objected_to_and_published(channel: Channel) -> None:
    facts_for(channel)
    lists, summary = await channel.ask(SEC, "/redblack preview week", 2)
    red_part = lists.text[lists.text.index(RED) : lists.text.index(BLACK)]
    assert CADRE_LI.name in red_part and MEDIATOR_ZHOU.name in red_part
    assert CADRE_WANG.name in lists.text[lists.text.index(BLACK) :]
    assert summary.text == zh("{n} members named on the lists were told privately.").format(n=3)
    [told] = await channel.replies(WANG)
    assert zh("You are named on the {list} preview").format(list=zh("black list")) in told.text
    assert told.labels == [OBJECT]

    # The objection window is open: no publication yet.
    refused = await ask1(channel, SEC, "/redblack publish")
    window = zh(
        "The objection window is open until {until}. The list can be published after it closes."
    )
    assert refused.text.startswith(window.split("{")[0])
    await channel.tap(WANG, told, OBJECT)
    [prompt] = await channel.replies(WANG)
    assert "4–500" in prompt.text
    done = await ask1(channel, WANG, "11月18日起我在县里参加培训，属<公务外出>")
    assert done.text == zh(
        "Your objection was recorded and the secretary was told. You will hear the decision."
    )
    [notice] = await channel.replies(SEC)
    assert "<公务外出>" in notice.text
    assert notice.labels == [zh("✅ Uphold"), zh("❌ Reject")]

    channel.clock.advance(timedelta(hours=49))  # after the window
    await channel.tap(SEC, notice, zh("✅ Uphold"))
    [ask_note] = await channel.replies(SEC)
    decided = await channel.press(SEC, ask_note, zh("Decide without a note"))
    assert CADRE_WANG.name in decided.text
    [decision] = await channel.replies(WANG)
    assert decision.text.startswith(
        zh("Your objection was upheld: you are taken off the list for {period}.").split("{")[0]
    )

    document, confirm = await channel.ask(SEC, "/redblack publish", 2)
    assert document.document is not None and document.document.endswith(".pdf")
    pdf = PdfReader(BytesIO(await channel.download(SEC, document)))
    assert [round(float(x)) for x in pdf.pages[0].mediabox[2:]] == [595, 842]  # A4
    assert "沙河子镇" in pdf.pages[0].extract_text()
    published = zh("Published as issue {number} of {period} and posted to the township group chat.")
    assert confirm.text.startswith(published.split("{")[0])
    group = await channel.group_id()
    [post] = await channel.texts(group, reader=CADRE_LI.telegram_user_id)
    assert CADRE_LI.name in post and CADRE_WANG.name not in post.split(zh("Scoreboard"))[0]
