"""Signing a browser in: an invitation link (`/join/<code>`), which also hands the invitation
to the bot, or a one-time link from the member's other device (`/device/<code>`)."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.core.models import WebChat
from bot.web import auth, store
from bot.web.server import Base, same_origin

NAME_LIMIT = 32
JOIN_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/icon.svg"><link rel="stylesheet" href="/static/app.css">
<title>加入工作群</title></head>
<body class="join"><main><h1>{title}</h1><p>{text}</p>{form}</main></body></html>"""
JOIN_FORM = """<form method="post"><label>您的姓名 <input name="name" maxlength="32" required
autocomplete="name"></label><button type="submit">在此设备登录</button></form>"""
DEVICE_FORM = """<form method="post"><button type="submit">在此设备登录</button></form>"""
JOIN_PROBLEMS = {
    auth.SignIn.INVALID: "此邀请链接无效。请向乡镇书记索取新的邀请链接。",
    auth.SignIn.USED: "此邀请链接已被使用。每个链接只能使用一次，请向乡镇书记索取新的邀请链接。",
    auth.SignIn.EXPIRED: "此邀请链接已过期。请向乡镇书记索取新的邀请链接。",
    auth.SignIn.LIMITED: "尝试次数过多，请一小时后再试。",
}
DEVICE_PROBLEMS = {
    auth.SignIn.INVALID: "此链接无效。请在已登录的设备上重新生成链接。",
    auth.SignIn.USED: "此链接已被使用。每个链接只能使用一次，请在已登录的设备上重新生成。",
    auth.SignIn.EXPIRED: "此链接已过期。请在已登录的设备上重新生成链接。",
}


class Door(Base):
    """A sign-in page: a form that, sent from this server's own page, signs the browser in."""

    def signed_in(self, token: str) -> None:
        channel = self.web.channel
        self.set_cookie(
            auth.COOKIE,
            token,
            path="/",
            httponly=True,
            secure=channel.secure_cookies,
            samesite="Lax",
            expires_days=channel.session_days,
        )
        self.redirect("/", status=303)

    def page(self, title: str, text: str, form: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(JOIN_PAGE.format(title=html.escape(title), text=html.escape(text), form=form))


class Join(Door):
    """An invitation link: opening it shows a form; sending the form signs this browser in and
    hands the invitation to the bot (`/start <code>`), which registers the member."""

    async def holder_here(self, code: str) -> bool:
        """Whether this browser is already signed in by this invitation (opened again)."""
        now = self.web.clock.now()
        async with self.web.transaction() as session:
            holder = await auth.invitation_holder(session, code)
            if holder is None:
                return False
            signed = await auth.signed_in(
                session, self.get_cookie(auth.COOKIE), now, self.web.channel.session_days
            )
        return signed is not None and signed.user.id == holder

    async def get(self, code: str) -> None:
        if await self.holder_here(code):
            self.redirect("/", status=303)
            return
        self.page(
            "加入乡镇工作群",
            "请填写姓名，在此设备登录。以后打开本页即可使用，无需密码。",
            JOIN_FORM,
        )

    async def post(self, code: str) -> None:
        if not same_origin(self):
            self.set_status(403)
            self.page("无法登录", "请直接打开邀请链接。", "")
            return
        if await self.holder_here(code):
            self.redirect("/", status=303)
            return
        name = " ".join(self.get_body_argument("name", "").split())[:NAME_LIMIT]
        address = self.request.remote_ip or "?"
        now = self.web.clock.now()
        channel = self.web.channel
        try:
            async with self.web.transaction() as session:
                outcome = await auth.check_invitation(
                    session, code, address, now, channel.signin_attempts_per_hour
                )
                if outcome is auth.SignIn.OK and name:
                    user = await store.new_user(session, name, now, auth.hash_token(code))
                    device = self.request.headers.get("User-Agent", "")
                    token = await auth.open_session(
                        session, user, device, address, now, channel.session_days
                    )
                    chat = await session.get(WebChat, user.id)
                    assert chat is not None
                    await store.member_message(session, user, chat, now, text=f"/start {code}")
        except IntegrityError:  # another browser took the invitation at the same moment
            outcome = auth.SignIn.USED
        if outcome is not auth.SignIn.OK:
            self.set_status(429 if outcome is auth.SignIn.LIMITED else 400)
            self.page("无法登录", JOIN_PROBLEMS[outcome], "")
            return
        if not name:
            self.set_status(400)
            self.page("加入乡镇工作群", "请填写姓名。", JOIN_FORM)
            return
        self.web.updates.notify()
        self.signed_in(token)


class AddDevice(Door):
    """A one-time link from a signed-in device: opened on another device, it signs that one in
    as the same person."""

    def get(self, code: str) -> None:
        self.page("添加设备", "在此设备登录后，以后打开本页即可使用，无需密码。", DEVICE_FORM)

    async def post(self, code: str) -> None:
        if not same_origin(self):
            self.set_status(403)
            self.page("无法登录", "请直接打开链接。", "")
            return
        address = self.request.remote_ip or "?"
        now = self.web.clock.now()
        channel = self.web.channel
        async with self.web.transaction() as session:
            outcome, user = await auth.use_device_link(
                session, code, address, now, channel.signin_attempts_per_hour
            )
            if user is not None:
                device = self.request.headers.get("User-Agent", "")
                token = await auth.open_session(
                    session, user, device, address, now, channel.session_days
                )
        if user is None:
            self.set_status(429 if outcome is auth.SignIn.LIMITED else 400)
            self.page("无法登录", DEVICE_PROBLEMS.get(outcome, JOIN_PROBLEMS[outcome]), "")
            return
        self.signed_in(token)


def routes(args: dict[str, Any]) -> list[Any]:
    return [
        (r"/join/([A-Za-z0-9_-]{1,128})", Join, args),
        (r"/device/([A-Za-z0-9_-]{1,128})", AddDevice, args),
    ]
