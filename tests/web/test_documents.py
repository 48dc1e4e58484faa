"""Documents the real bot sends reach the web chat and download intact (read back)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.web.conftest import WebWorld
from tests.web.test_access import CADRE, SECRETARY


async def test_the_weeks_ledger_downloads_from_the_web_chat(web: WebWorld) -> None:
    secretary = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    chat = SECRETARY.telegram_user_id
    await secretary.say(chat, "/export week")
    messages = await secretary.wait_for(
        chat, lambda ms: any(m.get("document", {}).get("name", "").endswith(".xlsx") for m in ms)
    )
    document = next(m["document"] for m in messages if "document" in m)
    assert document["name"].startswith("台账-SHZ-")
    download = await secretary.http.get(f"/api/files/{document['file_id']}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    book = load_workbook(BytesIO(download.content))
    about = book["说明"]
    assert [about["A2"].value, about["B2"].value] == ["乡镇", "沙河子镇"]
    # A cadre of the same township cannot fetch it: it is in the secretary's private chat.
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    assert (await cadre.http.get(f"/api/files/{document['file_id']}")).status_code == 404
