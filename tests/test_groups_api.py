"""The group and meeting API, driven as a client would; every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, count_rows, new_group, new_meeting, people
from support import STRONG_PASSWORD, App

from meeting.accounts.service import DELETED_DATA
from meeting.groups.models import DEFAULT_GUIDELINES

pytestmark = pytest.mark.postgres


async def test_platform_host_creates_a_group_with_default_guidelines_and_hosts_it(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    body = await new_group(app, name="  Grief   circle ", description="Weekly, gentle.")
    assert body["name"] == "Grief circle"
    assert body["description"] == "Weekly, gentle."
    assert body["guidelines"] == DEFAULT_GUIDELINES
    assert body["guidelines_version"] == 1
    assert body["your_role"] == "host"
    assert body["your_accepted_version"] == 1  # the author of a version has accepted it
    got = await app.client.get(f"/api/v1/groups/{body['id']}")
    assert got.status_code == 200
    assert got.json() == body
    assert await count_rows(app, "group_roles", group_id=body["id"], user_id=ids[HOST]) == 1


def test_default_guidelines_cover_what_a_support_group_needs() -> None:
    text = DEFAULT_GUIDELINES.lower()
    for words in (
        "what is shared here stays here",
        "respect",
        "your own experience",
        "no advice unless asked",
        "no solicitation",
        "contact details",
        "not a substitute for professional care",
        "need help now?",
        "emergency number",
    ):
        assert words in text, words


async def test_admin_may_create_groups_but_a_plain_member_may_not(app: App) -> None:
    await people(app)
    await as_user(app, MEMBER)
    r = await app.client.post("/api/v1/groups", json={"name": "Mine", "description": "x"})
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "forbidden",
        "message": "Only hosts and administrators can create groups.",
    }
    await as_user(app, ADMIN)
    body = await new_group(app, guidelines="Be kind.\r\nListen first.")
    assert body["guidelines"] == "Be kind.\nListen first."
    assert body["your_role"] == "host"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "   ", "description": "x"}, "name must be 1 to 80"),
        ({"name": "n" * 81, "description": "x"}, "'name'"),
        ({"description": "x"}, "Field 'name' is required"),
        ({"name": "A", "description": "x", "owner": 1}, "Unknown field 'owner'"),
        ({"name": "A", "description": "x", "guidelines": "g" * 20_001}, "'guidelines'"),
    ],
)
async def test_group_input_is_checked_naming_the_field(app: App, body: dict[str, object], words: str) -> None:
    await people(app)
    await as_user(app, HOST)
    r = await app.client.post("/api/v1/groups", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert words in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/groups"),
        ("GET", "/api/v1/groups/1"),
        ("POST", "/api/v1/groups/1/meetings"),
        ("POST", "/api/v1/groups/1/facilitators"),
        ("POST", "/api/v1/groups/1/members"),
        ("POST", "/api/v1/groups/1/agreement"),
        ("PUT", "/api/v1/groups/1/guidelines"),
        ("GET", "/api/v1/meetings/1"),
        ("POST", "/api/v1/meetings/1/open"),
        ("POST", "/api/v1/meetings/1/end"),
    ],
)
async def test_every_group_endpoint_needs_a_login(app: App, method: str, path: str) -> None:
    await people(app)
    r = await app.client.request(method, path, json={} if method != "GET" else None)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/api/v1/groups/999", "/api/v1/groups/abc", "/api/v1/meetings/999"])
async def test_unknown_groups_and_meetings_are_404(app: App, path: str) -> None:
    await people(app)
    await as_user(app, MEMBER)
    r = await app.client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert path.rsplit("/", 1)[1] in r.json()["error"]["message"]


async def test_meeting_times_with_offsets_are_stored_and_returned_in_utc(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    body = {
        "title": " Evening  share ",
        "starts_at": "2031-03-04T18:00:00+01:00",
        "ends_at": "2031-03-04T19:30+01:00",
    }
    r = await app.client.post(f"/api/v1/groups/{group['id']}/meetings", json=body)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["group_id"] == group["id"]
    assert m["title"] == "Evening share"
    assert m["starts_at"] == "2031-03-04T17:00:00Z"
    assert m["ends_at"] == "2031-03-04T18:30:00Z"
    assert m["opens_at"] == "2031-03-04T16:50:00Z"
    assert (m["state"], m["room_status"]) == ("scheduled", "not_yet")
    await as_user(app, MEMBER)  # anyone logged in may look a meeting up
    got = await app.client.get(f"/api/v1/meetings/{m['id']}")
    assert got.status_code == 200
    assert got.json() == m


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "words"),
    [
        ("2031-03-04T18:00:00", "2031-03-04T19:00:00+00:00", "starts_at", "timezone"),
        ("2031-03-04T18:00:00Z", "2031-03-04T19:00:00", "ends_at", "timezone"),
        (1_900_000_000, "2031-03-04T19:00:00Z", "starts_at", "ISO 8601"),
        ("next tuesday", "2031-03-04T19:00:00Z", "starts_at", "datetime"),
        ("2031-03-04T18:00:00Z", "2031-03-04T18:00:00Z", "ends_at", "after starts_at"),
        ("2031-03-04T18:00:00Z", "2031-03-04T19:00:00+02:00", "ends_at", "after starts_at"),
        ("2001-03-04T18:00:00Z", "2001-03-04T19:00:00Z", "ends_at", "in the past"),
    ],
)
async def test_bad_meeting_times_are_422_naming_the_field(
    app: App, starts_at: object, ends_at: object, field: str, words: str
) -> None:
    await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    body = {"title": "T", "starts_at": starts_at, "ends_at": ends_at}
    r = await app.client.post(f"/api/v1/groups/{group['id']}/meetings", json=body)
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert field in message
    assert words in message


async def test_only_the_group_host_or_an_admin_schedules_meetings(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    assert (await app.client.post(f"/api/v1/groups/{group['id']}/members")).status_code == 200
    r = await app.client.post(f"/api/v1/groups/{group['id']}/facilitators", json={"user_id": ids[MEMBER]})
    assert r.status_code == 200
    await as_user(app, MEMBER)  # a facilitator does not schedule
    r = await new_meeting(app, group["id"])
    assert r.status_code == 403
    assert "host or an administrator" in r.json()["error"]["message"]
    await as_user(app, OTHER)  # a plain member does not either
    assert (await new_meeting(app, group["id"])).status_code == 403
    await as_user(app, ADMIN)  # an admin may, without being a member
    assert (await new_meeting(app, group["id"])).status_code == 201
    assert (await new_meeting(app, 999)).status_code == 404


async def test_a_host_of_one_group_has_no_power_in_another(app: App) -> None:
    ids = await people(app)
    await as_user(app, ADMIN)
    theirs = await new_group(app, name="Admin's group")
    await as_user(app, HOST)
    await new_group(app, name="Hal's group")
    assert (await new_meeting(app, theirs["id"])).status_code == 403
    r = await app.client.post(f"/api/v1/groups/{theirs['id']}/facilitators", json={"user_id": ids[HOST]})
    assert r.status_code == 403
    r = await app.client.put(f"/api/v1/groups/{theirs['id']}/guidelines", json={"text": "Mine now."})
    assert r.status_code == 403


async def test_assigning_facilitators(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    url = f"/api/v1/groups/{group['id']}/facilitators"
    r = await app.client.post(url, json={"user_id": ids[MEMBER]})  # not a member yet: joined as facilitator
    assert r.status_code == 200
    assert r.json() == {"group_id": group["id"], "user_id": ids[MEMBER], "role": "facilitator"}
    r = await app.client.post(url, json={"user_id": ids[HOST]})  # the host stays host
    assert r.json()["role"] == "host"
    r = await app.client.post(url, json={"user_id": 99999})
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "No account with id 99999."
    r = await app.client.post(url, json={"user_id": "me"})
    assert r.status_code == 422
    assert "user_id" in r.json()["error"]["message"]
    await as_user(app, MEMBER)  # a facilitator cannot make more facilitators
    r = await app.client.post(url, json={"user_id": ids[OTHER]})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    await as_user(app, ADMIN)
    r = await app.client.post(url, json={"user_id": ids[OTHER]})
    assert r.json()["role"] == "facilitator"


async def test_joining_is_idempotent_and_keeps_a_higher_role(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    url = f"/api/v1/groups/{group['id']}/members"
    assert (await app.client.post(url)).json()["role"] == "host"
    await as_user(app, MEMBER)
    first = await app.client.post(url)
    again = await app.client.post(url)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"group_id": group["id"], "user_id": ids[MEMBER], "role": "member"}
    assert await count_rows(app, "group_roles", group_id=group["id"]) == 2
    assert (await app.client.get(f"/api/v1/groups/{group['id']}")).json()["your_role"] == "member"
    assert (await app.client.post("/api/v1/groups/999/members")).status_code == 404
    r = await app.client.post(url, headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "bad_origin"


async def test_guidelines_must_be_accepted_again_after_a_new_version(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    gid = group["id"]
    await as_user(app, MEMBER)
    r = await app.client.post(f"/api/v1/groups/{gid}/agreement", json={"version": 1})
    assert r.status_code == 200
    assert r.json()["version"] == 1
    assert r.json()["user_id"] == ids[MEMBER]
    accepted_at = datetime.fromisoformat(r.json()["accepted_at"])
    assert abs(accepted_at - datetime.now(UTC)) < timedelta(minutes=1)
    again = await app.client.post(f"/api/v1/groups/{gid}/agreement", json={"version": 1})
    assert again.json() == r.json()  # idempotent; the first acceptance time stands
    r = await app.client.put(f"/api/v1/groups/{gid}/guidelines", json={"text": "No."})
    assert r.status_code == 403

    await as_user(app, HOST)
    r = await app.client.put(f"/api/v1/groups/{gid}/guidelines", json={"text": "Be kind.\nNo advice."})
    assert r.status_code == 200
    assert (r.json()["guidelines"], r.json()["guidelines_version"]) == ("Be kind.\nNo advice.", 2)
    same = await app.client.put(f"/api/v1/groups/{gid}/guidelines", json={"text": "Be kind.\nNo advice.  "})
    assert same.json()["guidelines_version"] == 2  # unchanged text is not a new version
    blank = await app.client.put(f"/api/v1/groups/{gid}/guidelines", json={"text": " \n "})
    assert blank.status_code == 422
    assert "guidelines must be 1 to" in blank.json()["error"]["message"]

    await as_user(app, MEMBER)
    mine = (await app.client.get(f"/api/v1/groups/{gid}")).json()
    assert (mine["guidelines_version"], mine["your_accepted_version"]) == (2, 1)
    stale = await app.client.post(f"/api/v1/groups/{gid}/agreement", json={"version": 1})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["code"], error["current_version"]) == ("guidelines_changed", 2)
    assert "version 2" in error["message"]
    future = await app.client.post(f"/api/v1/groups/{gid}/agreement", json={"version": 3})
    assert future.status_code == 409
    assert (await app.client.post(f"/api/v1/groups/{gid}/agreement", json={"version": 2})).status_code == 200
    assert (await app.client.get(f"/api/v1/groups/{gid}")).json()["your_accepted_version"] == 2
    assert await count_rows(app, "guidelines_acceptances", group_id=gid, user_id=ids[MEMBER]) == 2


async def test_facilitators_open_early_and_end_meetings(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    await app.client.post(f"/api/v1/groups/{group['id']}/facilitators", json={"user_id": ids[MEMBER]})
    meeting = (await new_meeting(app, group["id"], start_in=120)).json()
    url = f"/api/v1/meetings/{meeting['id']}"
    await as_user(app, OTHER)
    r = await app.client.post(url + "/open")
    assert r.status_code == 403
    assert "facilitators" in r.json()["error"]["message"]
    assert (await app.client.post(url + "/end")).status_code == 403
    await as_user(app, MEMBER)
    opened = await app.client.post(url + "/open")
    assert opened.status_code == 200
    assert (opened.json()["state"], opened.json()["room_status"]) == ("open", "open")
    assert opened.json()["opened_at"] is not None
    assert (await app.client.post(url + "/open")).json()["opened_at"] == opened.json()["opened_at"]
    ended = await app.client.post(url + "/end")
    assert (ended.json()["state"], ended.json()["room_status"]) == ("ended", "ended")
    assert ended.json()["ended_at"] is not None
    assert (await app.client.post(url + "/end")).json() == ended.json()  # idempotent
    reopen = await app.client.post(url + "/open")
    assert reopen.status_code == 409
    assert reopen.json()["error"]["code"] == "meeting_ended"
    assert (await app.client.post("/api/v1/meetings/999/open")).status_code == 404


async def test_a_facilitator_of_one_group_cannot_open_another_groups_meeting(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    one = await new_group(app, name="One")
    two = await new_group(app, name="Two")
    await app.client.post(f"/api/v1/groups/{one['id']}/facilitators", json={"user_id": ids[MEMBER]})
    meeting = (await new_meeting(app, two["id"])).json()
    await as_user(app, MEMBER)
    assert (await app.client.post(f"/api/v1/meetings/{meeting['id']}/open")).status_code == 403
    await as_user(app, ADMIN)
    assert (await app.client.post(f"/api/v1/meetings/{meeting['id']}/open")).status_code == 200


async def test_deleting_an_account_removes_its_memberships_and_acceptances(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    await as_user(app, MEMBER)
    await app.client.post(f"/api/v1/groups/{group['id']}/members")
    await app.client.post(f"/api/v1/groups/{group['id']}/agreement", json={"version": 1})
    assert await count_rows(app, "group_roles", user_id=ids[MEMBER]) == 1
    assert await count_rows(app, "guidelines_acceptances", user_id=ids[MEMBER]) == 1
    r = await app.client.request("DELETE", "/api/v1/me", json={"password": STRONG_PASSWORD})
    assert r.status_code == 200
    assert await count_rows(app, "group_roles", user_id=ids[MEMBER]) == 0
    assert await count_rows(app, "guidelines_acceptances", user_id=ids[MEMBER]) == 0
    assert await count_rows(app, "group_roles", user_id=ids[HOST]) == 1  # nobody else's
    assert any("memberships" in item and "acceptances" in item for item in DELETED_DATA)


async def test_openapi_lists_the_group_endpoints(app: App) -> None:
    doc = (await app.client.get("/api/v1/openapi.json")).json()
    paths = doc["paths"]
    assert set(paths["/api/v1/groups/{id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/groups/{id}/guidelines"]) == {"put"}
    assert {"get", "post"} <= set(paths["/api/v1/groups"])
    assert {"get", "post"} <= set(paths["/api/v1/groups/{id}/meetings"])
    assert {"get", "patch"} <= set(paths["/api/v1/series/{id}"])
    assert "patch" in paths["/api/v1/meetings/{id}"]
    for path in ("/groups", "/groups/{id}/meetings", "/groups/{id}/facilitators", "/groups/{id}/members"):
        assert "post" in paths["/api/v1" + path]
    for path in ("/groups/{id}/agreement", "/meetings/{id}/open", "/meetings/{id}/end"):
        assert "post" in paths["/api/v1" + path]
    for path in (
        "/groups/{id}/hosts",
        "/groups/{id}/archive",
        "/meetings/{id}/cancel",
        "/meetings/{id}/extend",
    ):
        assert "post" in paths["/api/v1" + path]
    create = doc["components"]["schemas"]["MeetingCreate"]
    assert set(create["required"]) == {"title", "starts_at", "ends_at"}
    assert {"timezone", "rrule"} <= set(create["properties"])
    group = doc["components"]["schemas"]["GroupCreate"]
    assert set(group["required"]) == {"name", "description"}
    assert {"topics", "style", "language", "size_limit", "visibility", "visitors_allowed"} <= set(
        group["properties"]
    )


async def test_groups_have_directory_fields_with_defaults(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    plain = await new_group(app)  # only a name and a description, as before
    assert {k: plain[k] for k in ("topics", "style", "credential", "language", "size_limit")} == {
        "topics": ["wellness"],
        "style": "peer",
        "credential": None,
        "language": "en",
        "size_limit": 12,
    }
    assert (plain["visibility"], plain["visitors_allowed"], plain["archived_at"]) == ("listed", True, None)
    assert plain["facilitators"] == [{"user_id": ids[HOST], "display_name": "Hal", "role": "host"}]
    assert plain["upcoming"] == []
    full = await new_group(
        app,
        name="Loss and grief",
        topics=["Grief", "caregivers", "grief"],
        style="professional",
        credential="  Licensed   counsellor ",
        language="PT_br",
        size_limit=200,
        visibility="private",
        visitors_allowed=False,
    )
    assert full["topics"] == ["grief", "caregivers"]  # vocabulary order, no repeats
    assert (full["style"], full["credential"], full["language"]) == (
        "professional",
        "Licensed counsellor",
        "pt-BR",
    )
    assert (full["size_limit"], full["visibility"], full["visitors_allowed"]) == (200, "private", False)
    assert (await app.client.get(f"/api/v1/groups/{full['id']}")).json() == full


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": ["sadness"]}, "topics"),
        ({"topics": "grief"}, "topics"),
        ({"style": "guru"}, "style"),
        ({"credential": "MD"}, "credential"),  # a peer-led group has no credential
        ({"language": "english!"}, "language"),
        ({"size_limit": 0}, "size_limit"),
        ({"size_limit": 201}, "size_limit"),
        ({"visibility": "secret"}, "visibility"),
        ({"visitors_allowed": "sometimes"}, "visitors_allowed"),
    ],
)
async def test_bad_directory_fields_are_422_naming_the_field(
    app: App, body: dict[str, object], field: str
) -> None:
    await people(app)
    await as_user(app, HOST)
    r = await app.client.post("/api/v1/groups", json={"name": "A", "description": "x"} | body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert field in r.json()["error"]["message"]
    group = await new_group(app)
    r = await app.client.patch(f"/api/v1/groups/{group['id']}", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["message"]


async def test_hosts_and_admins_edit_a_group_others_may_not(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    url = f"/api/v1/groups/{group['id']}"
    await app.client.post(url + "/facilitators", json={"user_id": ids[MEMBER]})
    r = await app.client.patch(
        url,
        json={
            "name": " Grief  and loss ",
            "style": "professional",
            "credential": "Grief counsellor",
            "size_limit": 8,
        },
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["name"], edited["style"], edited["credential"], edited["size_limit"]) == (
        "Grief and loss",
        "professional",
        "Grief counsellor",
        8,
    )
    assert edited["description"] == group["description"]  # what was left out is kept
    assert edited["facilitators"] == [
        {"user_id": ids[HOST], "display_name": "Hal", "role": "host"},
        {"user_id": ids[MEMBER], "display_name": "Mo", "role": "facilitator"},
    ]
    r = await app.client.patch(url, json={"style": "peer"})
    assert (r.json()["style"], r.json()["credential"]) == ("peer", None)  # a peer-led group has no credential
    r = await app.client.patch(url, json={"name": None})
    assert (r.status_code, "'name'" in r.json()["error"]["message"]) == (422, True)
    r = await app.client.patch(url, json={"owner": 3})
    assert r.status_code == 422
    for who in (MEMBER, OTHER):  # a facilitator, and someone with no role
        await as_user(app, who)
        r = await app.client.patch(url, json={"name": "Mine"})
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
        assert (await app.client.post(url + "/hosts", json={"user_id": ids[who]})).status_code == 403
    await as_user(app, ADMIN)
    assert (await app.client.patch(url, json={"visitors_allowed": False})).json()["visitors_allowed"] is False
    assert (await app.client.patch("/api/v1/groups/999", json={"name": "x"})).status_code == 404


async def test_co_hosts(app: App) -> None:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app)
    url = f"/api/v1/groups/{group['id']}/hosts"
    r = await app.client.post(url, json={"user_id": ids[OTHER]})
    assert r.json() == {"group_id": group["id"], "user_id": ids[OTHER], "role": "host"}
    assert (await app.client.post(url, json={"user_id": 99999})).status_code == 404
    assert (await app.client.post(url, json={"user_id": "me"})).status_code == 422
    await as_user(app, OTHER)  # a co-host has the host's powers
    assert (await app.client.patch(f"/api/v1/groups/{group['id']}", json={"name": "Ours"})).status_code == 200
    assert (await new_meeting(app, group["id"])).status_code == 201
    r = await app.client.post(url, json={"user_id": ids[MEMBER]})
    assert r.json()["role"] == "host"
    detail = (await app.client.get(f"/api/v1/groups/{group['id']}")).json()
    assert [p["display_name"] for p in detail["facilitators"]] == ["Hal", "Mo", "Oz"]
    assert [m["title"] for m in detail["upcoming"]] == ["Tuesday"]
    assert detail["your_role"] == "host"
