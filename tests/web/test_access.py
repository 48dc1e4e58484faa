"""Nobody gets in who does not belong: sessions, other members' and townships' chats,
forged buttons, CSRF and oversized uploads (docs/reliability.md, the web channel)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.core.models import Member, WebCallback, WebSession, WebUpdate
from bot.web import auth
from devkit.sample import GROUP_CHAT_ID, OTHER_PERSON, PEOPLE
from tests.web.conftest import WebWorld
from tests.web.test_botapi import call

SECRETARY, CADRE, OTHER_CADRE = PEOPLE[0], PEOPLE[1], PEOPLE[2]


async def pending_updates(web: WebWorld) -> int:
    async with web.svc.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(WebUpdate)) or 0)


async def presses(web: WebWorld) -> int:
    async with web.svc.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(WebCallback)) or 0)


async def test_no_session_sees_nothing(web: WebWorld) -> None:
    http = web.client(headers={"Origin": web.url})
    assert (await http.get("/api/me")).status_code == 401
    assert (await http.get(f"/api/chats/{GROUP_CHAT_ID}/messages")).status_code == 401
    sent = await http.post(f"/api/chats/{CADRE.telegram_user_id}/messages", json={"text": "/start"})
    assert sent.status_code == 401
    forged = web.client(cookies={auth.COOKIE: "made-up"}, headers={"Origin": web.url})
    assert (await forged.get("/api/me")).status_code == 401
    assert await pending_updates(web) == 0
    # The shell itself is public and says how to sign in.
    page = await http.get("/")
    assert page.status_code == 200 and "邀请链接" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


async def test_an_expired_or_revoked_session_ends(web: WebWorld) -> None:
    browser = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    other = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    async with web.svc.transaction() as session:
        row = await session.scalar(
            select(WebSession).where(WebSession.token_hash == auth.hash_token(browser.token))
        )
        assert row is not None
        assert await auth.revoke(session, CADRE.telegram_user_id, row.id, web.clock.now())
    assert (await browser.http.get("/api/me")).status_code == 401
    assert (await other.http.get("/api/me")).status_code == 200
    web.clock.advance(timedelta(days=31))
    assert (await other.http.get("/api/me")).status_code == 401


async def test_a_deactivated_members_sessions_end_at_once(web: WebWorld) -> None:
    browser = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    assert (await browser.http.get("/api/me")).status_code == 200
    async with web.svc.transaction() as session:
        await session.execute(
            update(Member)
            .where(Member.telegram_user_id == CADRE.telegram_user_id)
            .values(active=False)
        )
    assert (await browser.http.get("/api/me")).status_code == 401
    async with web.svc.transaction() as session:
        assert await auth.devices(session, CADRE.telegram_user_id) == []


async def test_another_members_chat_is_not_there(web: WebWorld) -> None:
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    await web.browser_of(OTHER_CADRE.telegram_user_id, OTHER_CADRE.name)
    theirs = f"/api/chats/{OTHER_CADRE.telegram_user_id}/messages"
    assert (await cadre.http.get(theirs)).status_code == 404
    assert (await cadre.http.post(theirs, json={"text": "/start"})).status_code == 404
    assert await pending_updates(web) == 0


async def test_another_townships_group_is_not_there(web: WebWorld) -> None:
    outsider = await web.browser_of(OTHER_PERSON.telegram_user_id, OTHER_PERSON.name)
    assert GROUP_CHAT_ID not in outsider.chat_ids()
    group = f"/api/chats/{GROUP_CHAT_ID}/messages"
    assert (await outsider.http.get(group)).status_code == 404
    assert (await outsider.http.post(group, json={"text": "/help"})).status_code == 404
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    assert GROUP_CHAT_ID in cadre.chat_ids()
    assert (await cadre.http.get(group)).status_code == 200


async def test_forged_callback_data_never_reaches_the_bot(web: WebWorld) -> None:
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    chat = CADRE.telegram_user_id
    markup = {"inline_keyboard": [[{"text": "确认", "callback_data": "real:data"}]]}
    sent = await call(web, "sendMessage", chat_id=chat, text="请确认", reply_markup=markup)
    message_id = sent.json()["result"]["message_id"]
    await cadre.say(chat, "你好")
    listed = (await cadre.messages(chat))["messages"]
    mine = next(m["id"] for m in listed if not m["from_bot"])
    press = f"/api/chats/{chat}/press"
    for body in (
        {"message_id": message_id, "data": "vs:ok:1:forged:sig"},
        {"message_id": mine, "data": "real:data"},
        {"message_id": 999, "data": "real:data"},
    ):
        assert (await cadre.http.post(press, json=body)).status_code == 400
    assert await presses(web) == 0
    # Someone else pressing the cadre's button: the message is not in their chats.
    other = await web.browser_of(OTHER_CADRE.telegram_user_id, OTHER_CADRE.name)
    body = {"message_id": message_id, "data": "real:data"}
    assert (await other.http.post(press, json=body)).status_code == 404
    assert await presses(web) == 0
    # The real button of the real message does reach the bot.
    assert (await cadre.http.post(press, json=body)).status_code == 200
    assert await presses(web) == 1


async def test_changes_need_the_csrf_token_and_this_origin(web: WebWorld) -> None:
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    path = f"/api/chats/{CADRE.telegram_user_id}/messages"
    cookies = {auth.COOKIE: cadre.token}
    no_token = web.client(cookies=cookies, headers={"Origin": web.url})
    wrong = web.client(cookies=cookies, headers={"Origin": web.url, auth.CSRF_HEADER: "0" * 64})
    elsewhere = web.client(
        cookies=cookies,
        headers={"Origin": "https://evil.example", auth.CSRF_HEADER: cadre.me["csrf"]},
    )
    no_origin = web.client(cookies=cookies, headers={auth.CSRF_HEADER: cadre.me["csrf"]})
    # Header bytes beyond ASCII (read as Latin-1): refused like any wrong token, not a 500.
    latin = web.client(
        cookies=cookies, headers={"Origin": web.url, auth.CSRF_HEADER: "é".encode("latin-1") * 64}
    )
    for http in (no_token, wrong, elsewhere, no_origin, latin):
        assert (await http.post(path, json={"text": "/help"})).status_code == 403
    assert await pending_updates(web) == 0
    assert (await cadre.say(CADRE.telegram_user_id, "/help")).status_code == 200


async def test_an_oversized_upload_is_refused(web: WebWorld) -> None:
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    path = f"/api/chats/{CADRE.telegram_user_id}/files"
    big = {"file": ("台账.xlsx", b"x" * (64 * 1024 + 1), "application/octet-stream")}
    assert (await cadre.http.post(path, files=big)).status_code == 413
    assert await pending_updates(web) == 0
    small = {"file": ("台账.xlsx", b"x" * 1024, "application/octet-stream")}
    assert (await cadre.http.post(path, files=small)).status_code == 200
    document = (await cadre.messages(CADRE.telegram_user_id))["messages"][0]["document"]
    assert document["name"] == "台账.xlsx"
    download = await cadre.http.get(f"/api/files/{document['file_id']}")
    assert download.status_code == 200 and download.content == b"x" * 1024
    assert download.headers["Content-Disposition"].startswith("attachment")
    other = await web.browser_of(OTHER_CADRE.telegram_user_id, OTHER_CADRE.name)
    assert (await other.http.get(f"/api/files/{document['file_id']}")).status_code == 404
