"""The moderation API (log, rules, bans, your blocks), driven as a client would, on SQLite and
PostgreSQL. Who may call which endpoint, role by role, is in test_permissions_http.py."""

from __future__ import annotations

from typing import Any

import pytest
from group_helpers import as_user, count_rows, new_meeting
from moderation_helpers import BANNED, FACILITATOR, HOST, MEMBER, VISITOR, Cast, cast, ledger, lone_host
from support import App

pytestmark = pytest.mark.postgres

DEFAULT_RULES = {
    "allow_links": False,
    "blocked_terms": "",
    "rate_messages": 5,
    "rate_seconds": 10,
    "waiting_room": False,
    "report_threshold": 3,
}


def person(c: Cast, email: str, name: str) -> dict[str, Any]:
    return {"id": c.ids[email], "name": name}


async def test_the_log_lists_entries_newest_first_with_labels_and_names(app: App) -> None:
    c = await cast(app)
    async with ledger(app) as room:
        await room.record(
            meeting_id=c.meeting,
            actor_id=c.ids[FACILITATOR],
            action="mute",
            target_id=c.ids[MEMBER],
            reason="Taking a break",
        )
        await room.record(meeting_id=c.meeting, actor_id=None, action="crisis_alert")
    await as_user(app, HOST)
    r = await app.client.get(f"/api/v1/groups/{c.group}/audit")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_before"] is None
    alert, mute, ban = body["entries"]
    assert set(mute) == {"id", "meeting_id", "action", "label", "actor", "target", "reason", "created_at"}
    assert mute | {"id": 0, "created_at": ""} == {
        "id": 0,
        "meeting_id": c.meeting,
        "action": "mute",
        "label": "Muted a member",
        "actor": person(c, FACILITATOR, "Fay"),
        "target": person(c, MEMBER, "Mo"),
        "reason": "Taking a break",
        "created_at": "",
    }
    assert mute["created_at"].endswith("Z")
    assert (alert["action"], alert["actor"], alert["target"]) == ("crisis_alert", None, None)
    assert alert["label"].startswith("Crisis resources were offered")
    assert (ban["action"], ban["target"], ban["reason"]) == ("ban", person(c, BANNED, "Bo"), "harassment")
    assert alert["id"] > mute["id"] > ban["id"]


async def test_the_log_filters_by_meeting_and_pages_back(app: App) -> None:
    c = await cast(app)
    await as_user(app, HOST)
    second = (await new_meeting(app, c.group, start_in=180, title="Thursday")).json()["id"]
    async with ledger(app) as room:
        for n in range(3):
            await room.record(meeting_id=second, actor_id=c.ids[HOST], action="lock", reason=str(n))
    url = f"/api/v1/groups/{c.group}/audit"
    first = (await app.client.get(url, params={"meeting_id": second, "limit": 2})).json()
    assert [e["reason"] for e in first["entries"]] == ["2", "1"]
    assert first["next_before"] == first["entries"][-1]["id"]
    rest = (
        await app.client.get(url, params={"meeting_id": second, "limit": 2, "before": first["next_before"]})
    ).json()
    assert ([e["reason"] for e in rest["entries"]], rest["next_before"]) == (["0"], None)
    only_first = (await app.client.get(url, params={"meeting_id": c.meeting})).json()
    assert [e["action"] for e in only_first["entries"]] == ["ban"]
    everything = (await app.client.get(url, params={"meeting_id": ""})).json()
    assert len(everything["entries"]) == 4


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("limit=0", 422, "'limit' must be a whole number from 1 to 200"),
        ("limit=201", 422, "'limit'"),
        ("limit=ten", 422, "'limit'"),
        ("before=-4", 422, "'before'"),
        ("meeting_id=%C2%B2", 422, "'meeting_id'"),  # a superscript two is a digit to Python, not here
        ("meeting_id=999", 404, "No meeting with id 999"),
    ],
)
async def test_bad_log_queries_are_named(app: App, query: str, status: int, words: str) -> None:
    group = await lone_host(app)
    r = await app.client.get(f"/api/v1/groups/{group}/audit?{query}")
    assert r.status_code == status
    assert words in r.json()["error"]["message"]


async def test_a_meeting_of_another_group_is_not_in_this_log(app: App) -> None:
    c = await cast(app)
    await as_user(app, HOST)
    theirs = (await new_meeting(app, c.elsewhere)).json()["id"]
    r = await app.client.get(f"/api/v1/groups/{c.group}/audit", params={"meeting_id": theirs})
    assert r.status_code == 404
    assert "in this group" in r.json()["error"]["message"]


async def test_ending_a_meeting_over_the_api_is_logged_once(app: App) -> None:
    c = await cast(app)
    await as_user(app, FACILITATOR)
    for _ in range(2):
        assert (await app.client.post(f"/api/v1/meetings/{c.meeting}/end")).status_code == 200
    await as_user(app, HOST)
    entries = (await app.client.get(f"/api/v1/groups/{c.group}/audit")).json()["entries"]
    newest = entries[0]
    assert (newest["action"], newest["label"], newest["actor"]) == (
        "end",
        "Ended the meeting",
        person(c, FACILITATOR, "Fay"),
    )
    assert [e["action"] for e in entries].count("end") == 1


async def test_rules_read_and_replaced_without_an_audit_entry(app: App) -> None:
    c = await cast(app)
    url = f"/api/v1/groups/{c.group}/rules"
    await as_user(app, FACILITATOR)
    assert (await app.client.get(url)).json() == DEFAULT_RULES
    await as_user(app, HOST)
    before = await count_rows(app, "moderation_events")
    new = {
        "allow_links": True,
        "blocked_terms": "  Bad   word \r\n\nbad WORD\nother\n",
        "rate_messages": 30,
        "rate_seconds": 300,
        "waiting_room": True,
        "report_threshold": 1,
    }
    r = await app.client.put(url, json=new)
    assert r.status_code == 200, r.text
    assert r.json() == new | {"blocked_terms": "Bad word\nother"}  # cleaned, one per line, no repeats
    await as_user(app, FACILITATOR)
    assert (await app.client.get(url)).json() == r.json()
    assert await count_rows(app, "moderation_events") == before


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"rate_messages": 0}, "'rate_messages'"),
        ({"rate_messages": 31}, "'rate_messages'"),
        ({"rate_seconds": 0}, "'rate_seconds'"),
        ({"rate_seconds": 301}, "'rate_seconds'"),
        ({"report_threshold": 0}, "'report_threshold'"),
        ({"report_threshold": 21}, "'report_threshold'"),
        ({"rate_messages": "many"}, "'rate_messages'"),
        ({"blocked_terms": "fine\n\n" + "w" * 61}, "Line 3 of the blocked terms is 61 characters long"),
        ({"blocked_terms": "fine\n1234"}, "Line 2 of the blocked terms has no letters"),
        (
            {"blocked_terms": "\n".join(f"term{n}x" for n in range(201))},
            "201 blocked terms; a group may have at most 200",
        ),
        ({"blocked_terms": "x" * 20_001}, "'blocked_terms'"),
        ({"colour": "blue"}, "Unknown field 'colour'"),
    ],
)
async def test_bad_rules_are_422_naming_the_field_or_line(
    app: App, change: dict[str, Any], words: str
) -> None:
    group = await lone_host(app)
    r = await app.client.put(f"/api/v1/groups/{group}/rules", json=DEFAULT_RULES | change)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert words in r.json()["error"]["message"]
    assert (await app.client.get(f"/api/v1/groups/{group}/rules")).json() == DEFAULT_RULES


async def test_a_rules_put_needs_every_field(app: App) -> None:
    group = await lone_host(app)
    body = {k: v for k, v in DEFAULT_RULES.items() if k != "waiting_room"}
    r = await app.client.put(f"/api/v1/groups/{group}/rules", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "Field 'waiting_room' is required."


async def test_bans_are_listed_and_lifted_with_the_lifter_logged(app: App) -> None:
    c = await cast(app)
    await as_user(app, FACILITATOR)
    r = await app.client.get(f"/api/v1/groups/{c.group}/bans")
    assert r.status_code == 200
    (ban,) = r.json()["bans"]
    assert ban | {"created_at": ""} == {
        "user": person(c, BANNED, "Bo"),
        "banned_by": person(c, FACILITATOR, "Fay"),
        "reason": "harassment",
        "created_at": "",
    }
    url = f"/api/v1/groups/{c.group}/bans/{c.ids[BANNED]}"
    r = await app.client.delete(url)
    assert (r.status_code, r.content) == (204, b"")
    assert (await app.client.get(f"/api/v1/groups/{c.group}/bans")).json() == {"bans": []}
    again = await app.client.delete(url)
    assert again.status_code == 404
    assert again.json()["error"]["message"] == "That person isn't banned from this group."
    assert (await app.client.delete(f"/api/v1/groups/{c.group}/bans/99999")).status_code == 404
    assert (await app.client.delete(f"/api/v1/groups/{c.group}/bans/x")).status_code == 404
    await as_user(app, HOST)
    newest = (await app.client.get(f"/api/v1/groups/{c.group}/audit")).json()["entries"][0]
    assert (newest["action"], newest["label"]) == ("unban", "Lifted a ban")
    assert (newest["actor"], newest["target"], newest["meeting_id"]) == (
        person(c, FACILITATOR, "Fay"),
        person(c, BANNED, "Bo"),
        None,
    )


async def test_only_someone_who_outranks_them_lifts_a_ban(app: App) -> None:
    c = await cast(app)
    async with ledger(app) as room:  # the host banned a facilitator
        await room.ban(meeting_id=c.meeting, actor_id=c.ids[HOST], user_id=c.ids[FACILITATOR], reason="")
    await as_user(app, HOST)
    r = await app.client.post(f"/api/v1/groups/{c.group}/facilitators", json={"user_id": c.ids[MEMBER]})
    assert r.status_code == 200
    await as_user(app, MEMBER)  # now a facilitator too: a peer of the banned one
    url = f"/api/v1/groups/{c.group}/bans/{c.ids[FACILITATOR]}"
    r = await app.client.delete(url)
    assert r.status_code == 403
    assert "outranks" in r.json()["error"]["message"]
    await as_user(app, HOST)
    assert (await app.client.delete(url)).status_code == 204


async def test_your_blocks_are_yours_alone(app: App) -> None:
    c = await cast(app)
    async with ledger(app) as room:
        for blocked in (HOST, BANNED):
            await room.block(user_id=c.ids[MEMBER], blocked_id=c.ids[blocked], blocked=True)
    await as_user(app, MEMBER)
    r = await app.client.get("/api/v1/me/blocks")
    assert r.status_code == 200
    assert [b["user"] for b in r.json()["blocks"]] == [person(c, BANNED, "Bo"), person(c, HOST, "Hal")]
    assert all(b["created_at"].endswith("Z") for b in r.json()["blocks"])
    await as_user(app, HOST)
    assert (await app.client.get("/api/v1/me/blocks")).json() == {"blocks": []}
    r = await app.client.delete(f"/api/v1/me/blocks/{c.ids[BANNED]}")  # not the host's block to undo
    assert r.status_code == 404
    await as_user(app, MEMBER)
    assert (await app.client.delete(f"/api/v1/me/blocks/{c.ids[BANNED]}")).status_code == 204
    again = await app.client.delete(f"/api/v1/me/blocks/{c.ids[BANNED]}")
    assert again.status_code == 404
    assert again.json()["error"] == {"code": "not_found", "message": "You haven't blocked that person."}
    assert [b["user"]["name"] for b in (await app.client.get("/api/v1/me/blocks")).json()["blocks"]] == [
        "Hal"
    ]
    assert await count_rows(app, "moderation_events", target_id=c.ids[HOST]) == 0  # blocks are not logged


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/groups/1/audit"),
        ("GET", "/api/v1/groups/1/rules"),
        ("PUT", "/api/v1/groups/1/rules"),
        ("GET", "/api/v1/groups/1/bans"),
        ("DELETE", "/api/v1/groups/1/bans/2"),
        ("GET", "/api/v1/me/blocks"),
        ("DELETE", "/api/v1/me/blocks/2"),
    ],
)
async def test_every_moderation_endpoint_needs_a_login(app: App, method: str, path: str) -> None:
    r = await app.client.request(method, path, json=DEFAULT_RULES if method == "PUT" else None)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


async def test_writes_from_another_origin_are_refused(app: App) -> None:
    c = await cast(app)
    await as_user(app, HOST)
    evil = {"origin": "https://evil.example"}
    for method, path in (
        ("PUT", f"/api/v1/groups/{c.group}/rules"),
        ("DELETE", f"/api/v1/groups/{c.group}/bans/{c.ids[BANNED]}"),
        ("DELETE", f"/api/v1/me/blocks/{c.ids[BANNED]}"),
    ):
        r = await app.client.request(
            method, path, json=DEFAULT_RULES if method == "PUT" else None, headers=evil
        )
        assert r.status_code == 403, path
        assert r.json()["error"]["code"] == "bad_origin"
    assert len((await app.client.get(f"/api/v1/groups/{c.group}/bans")).json()["bans"]) == 1


async def test_unknown_groups_are_404(app: App) -> None:
    await cast(app)
    await as_user(app, VISITOR)
    for path in ("/api/v1/groups/999/audit", "/api/v1/groups/999/rules", "/api/v1/groups/999/bans"):
        r = await app.client.get(path)
        assert r.status_code == 404, path
        assert "No group with id 999" in r.json()["error"]["message"]


async def test_the_openapi_document_lists_the_moderation_endpoints(app: App) -> None:
    doc = (await app.client.get("/api/v1/openapi.json")).json()
    paths = doc["paths"]
    assert set(paths["/api/v1/groups/{id}/rules"]) == {"get", "put"}
    assert "get" in paths["/api/v1/groups/{id}/audit"]
    assert "get" in paths["/api/v1/groups/{id}/bans"]
    assert "delete" in paths["/api/v1/groups/{id}/bans/{user_id}"]
    assert set(paths["/api/v1/me/blocks"]) == {"get"}
    assert "delete" in paths["/api/v1/me/blocks/{user_id}"]
    rules = doc["components"]["schemas"]["GroupRules"]["properties"]
    assert (rules["rate_messages"]["minimum"], rules["rate_messages"]["maximum"]) == (1, 30)
    assert {"AuditLog", "BanList", "BlockList"} <= set(doc["components"]["schemas"])
