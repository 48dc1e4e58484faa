"""Sign-in by invitation: the link registers the browser as the member's device; every attempt
is audited and rate-limited; only a hash of the session token is stored."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.core.models import Member, WebSession, WebSignIn
from bot.web import auth
from tests.e2e.helpers import make_invite, zh
from tests.web.conftest import Browser, WebWorld


async def join(web: WebWorld, code: str, name: str = "吴小平") -> httpx.Response:
    http = web.client(headers={"Origin": web.url})
    form = await http.get(f"/join/{code}")
    assert form.status_code == 200 and "在此设备登录" in form.text
    return await http.post(f"/join/{code}", data={"name": name})


async def test_an_invitation_signs_the_browser_in_and_registers_the_member(web: WebWorld) -> None:
    code = await make_invite(web, "cadre")
    http = web.client(headers={"Origin": web.url})
    answer = await http.post(f"/join/{code}", data={"name": "吴小平"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = http.cookies[auth.COOKIE]
    async with web.svc.transaction() as session:
        stored = list(await session.scalars(select(WebSession.token_hash)))
        outcomes = list(await session.scalars(select(WebSignIn.outcome)))
    assert stored == [auth.hash_token(token)] and token not in stored
    assert outcomes == ["ok"]

    me = (await http.get("/api/me")).json()
    http.headers[auth.CSRF_HEADER] = me["csrf"]
    browser = Browser(http, token, me)
    [private] = browser.chat_ids()  # not a member yet: no township group
    start, card = await browser.wait_messages(private, 2)
    assert start["text"] == f"/start {code}"
    assert "沙河子镇" in card["text"] and "吴小平" in card["text"]
    confirm = next(b for row in card["buttons"] for b in row if b["text"] == zh("✅ Confirm"))
    pressed = await http.post(
        f"/api/chats/{private}/press", json={"message_id": card["id"], "data": confirm["data"]}
    )
    assert pressed.status_code == 200
    answer = await http.get(f"/api/answers/{pressed.json()['query']}", params={"wait": 10})
    assert answer.json()["answer"] is not None
    welcome = zh("Welcome, {name}! You are registered.").format(name="吴小平")
    await browser.wait_for(private, lambda messages: any(m["text"] == welcome for m in messages))
    async with web.svc.transaction() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == private))
    assert member is not None and member.display_name == "吴小平"
    # Now a member of the township: its work group appears.
    assert len((await http.get("/api/me")).json()["chats"]) == 2
    # The invitation worked once.
    assert (await join(web, code)).status_code == 400


async def test_bad_links_are_refused_and_audited(web: WebWorld) -> None:
    expired = await make_invite(web, "cadre", hours=1)
    web.clock.advance(timedelta(hours=2))
    made_up = await join(web, "made-up-code")
    assert made_up.status_code == 400 and "无效" in made_up.text
    late = await join(web, expired)
    assert late.status_code == 400 and "过期" in late.text
    assert auth.COOKIE not in made_up.headers.get("Set-Cookie", "")
    async with web.svc.transaction() as session:
        outcomes = list(await session.scalars(select(WebSignIn.outcome).order_by(WebSignIn.id)))
        assert await session.scalar(select(WebSession.id)) is None
    assert outcomes == ["invalid", "expired"]


async def test_sign_in_attempts_are_rate_limited(web: WebWorld) -> None:
    for _ in range(5):  # the fixture allows 5 an hour
        assert (await join(web, "guess")).status_code == 400
    code = await make_invite(web, "cadre")
    limited = await join(web, code)
    assert limited.status_code == 429 and "一小时" in limited.text
    web.clock.advance(timedelta(hours=1, minutes=1))
    assert (await join(web, code)).status_code == 303


async def test_a_sign_in_from_another_site_is_refused(web: WebWorld) -> None:
    code = await make_invite(web, "cadre")
    http = web.client(headers={"Origin": "https://evil.example"})
    assert (await http.post(f"/join/{code}", data={"name": "吴小平"})).status_code == 403
    assert (await join(web, code)).status_code == 303


async def test_a_member_adds_another_device_from_a_one_time_link(web: WebWorld) -> None:
    from tests.web.test_access import CADRE

    phone = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    made = await phone.http.post("/api/devices/link")
    assert made.status_code == 200
    link = made.json()["link"]
    assert link.startswith(f"{web.url}/device/")
    path = link.removeprefix(web.url)
    laptop = web.client(headers={"Origin": web.url})
    assert (await laptop.get(path)).status_code == 200
    assert (await laptop.post(path)).status_code == 303
    me = (await laptop.get("/api/me")).json()
    assert me["user"]["id"] == CADRE.telegram_user_id
    # Once only, and within 15 minutes.
    again = web.client(headers={"Origin": web.url})
    assert (await again.post(path)).status_code == 400
    late = (await phone.http.post("/api/devices/link")).json()["link"].removeprefix(web.url)
    web.clock.advance(timedelta(minutes=16))
    assert (await again.post(late)).status_code == 400
    # Making a link is a change: it needs the CSRF token.
    bare = web.client(cookies={auth.COOKIE: phone.token}, headers={"Origin": web.url})
    assert (await bare.post("/api/devices/link")).status_code == 403


async def test_an_invitation_signs_one_browser_in_even_before_the_registration(
    web: WebWorld,
) -> None:
    code = await make_invite(web, "secretary")
    first = web.client(headers={"Origin": web.url})
    assert (await first.post(f"/join/{code}", data={"name": "王书记"})).status_code == 303
    # Forwarded before the card is confirmed: another browser is not signed in with it.
    refused = await join(web, code, "冒名者")
    assert refused.status_code == 400 and "已被使用" in refused.text
    assert auth.COOKIE not in refused.headers.get("Set-Cookie", "")
    # Opened again on the first browser: straight to its chat, still the same person.
    me = (await first.get("/api/me")).json()
    again = await first.get(f"/join/{code}")
    assert again.status_code == 303 and again.headers["Location"] == "/"
    sent = await first.post(f"/join/{code}", data={"name": "王书记"})
    assert sent.status_code == 303
    assert (await first.get("/api/me")).json()["user"]["id"] == me["user"]["id"]
    async with web.svc.transaction() as session:
        outcomes = list(await session.scalars(select(WebSignIn.outcome)))
    assert sorted(outcomes) == ["ok", "used"]
