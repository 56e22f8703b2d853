"""Moderation on the pages, through their HTML forms (CSRF and all), on SQLite and PostgreSQL:
the group page's room rules, banned members and moderation log, and the account page's blocks."""

from __future__ import annotations

import re

import pytest
from group_helpers import as_user, new_meeting
from moderation_helpers import (
    ADMIN,
    BANNED,
    FACILITATOR,
    HOST,
    MEMBER,
    Cast,
    cast,
    csrf_from,
    ledger,
    lone_host,
    post_form,
)
from support import App

pytestmark = pytest.mark.postgres

RULE_FORM = {
    "allow_links": "yes",
    "blocked_terms": "bad word\r\nother",
    "rate_messages": "3",
    "rate_seconds": "20",
    "waiting_room": "yes",
    "report_threshold": "2",
}


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input id="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    return " ".join(match.group(0).split())


def sections(html: str) -> set[str]:
    return {name for name in ("rules", "bans", "log") if f'<section id="{name}"' in html}


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        (ADMIN, {"rules", "bans", "log"}),
        (HOST, {"rules", "bans", "log"}),
        (FACILITATOR, {"bans"}),
        (MEMBER, set()),
    ],
)
async def test_each_person_sees_only_the_sections_they_may_use(app: App, who: str, seen: set[str]) -> None:
    c = await cast(app)
    await as_user(app, who)
    assert sections((await app.client.get(f"/groups/{c.group}")).text) == seen


async def test_a_host_saves_the_room_rules_through_the_form(app: App) -> None:
    group = await lone_host(app)
    page = (await app.client.get(f"/groups/{group}")).text
    for name in (
        "allow_links",
        "blocked_terms",
        "rate_messages",
        "rate_seconds",
        "waiting_room",
        "report_threshold",
    ):
        assert f'<label for="{name}">' in page, name  # every input has its label
        assert f'id="{name}" name="{name}"' in page, name
    assert "checked" not in input_tag(page, "allow_links")  # off by default
    assert 'type="checkbox" value="yes"' in input_tag(page, "allow_links")
    assert 'aria-describedby="allow_links-hint"' in input_tag(page, "allow_links")
    assert 'type="number"' in input_tag(page, "rate_messages")
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/rules", RULE_FORM)
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}?done=rules#rules")
    rules = (await app.client.get(f"/api/v1/groups/{group}/rules")).json()
    assert rules == {
        "allow_links": True,
        "blocked_terms": "bad word\nother",
        "rate_messages": 3,
        "rate_seconds": 20,
        "waiting_room": True,
        "report_threshold": 2,
    }
    page = (await app.client.get(f"/groups/{group}?done=rules")).text
    assert "The room rules were saved." in page
    assert " checked " in input_tag(page, "allow_links")
    assert " checked " in input_tag(page, "waiting_room")
    assert ">bad word\nother</textarea>" in page
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/rules", RULE_FORM | {"allow_links": ""})
    assert r.status_code == 303  # an unticked box sends nothing: links are off again
    assert (await app.client.get(f"/api/v1/groups/{group}/rules")).json()["allow_links"] is False


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"rate_messages": "lots"}, "rate_messages", "Messages allowed must be a whole number from 1 to 30."),
        ({"rate_seconds": "301"}, "rate_seconds", "must be a whole number from 1 to 300"),
        ({"report_threshold": ""}, "report_threshold", "from 1 to 20"),
        (
            {"blocked_terms": "fine\n" + "w" * 61},
            "blocked_terms",
            "Line 2 of the blocked terms is 61 characters",
        ),
    ],
)
async def test_bad_rules_are_shown_by_their_field_with_what_was_typed(
    app: App, change: dict[str, str], field: str, words: str
) -> None:
    group = await lone_host(app)
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/rules", RULE_FORM | change)
    assert r.status_code == 422
    assert words in r.text
    assert f'<a href="#{field}">' in r.text  # the error summary links to the field
    assert f'id="{field}-error"' in r.text
    assert 'aria-invalid="true"' in r.text
    typed = RULE_FORM | change
    assert f">{typed['blocked_terms'].replace(chr(13), '')}</textarea>" in r.text.replace("\r", "")
    assert (await app.client.get(f"/api/v1/groups/{group}/rules")).json()["rate_messages"] == 5  # unchanged


async def test_rules_refused_to_a_facilitator_and_without_a_csrf_token(app: App) -> None:
    c = await cast(app)
    await as_user(app, FACILITATOR)
    r = await post_form(
        app, f"/groups/{c.group}", f"/groups/{c.group}/rules", RULE_FORM | {"rate_messages": "x"}
    )
    assert r.status_code == 403  # refused before the fields are even read
    assert "Only this group&#39;s host or an administrator can change its room rules." in r.text
    await as_user(app, HOST)
    r = await app.client.post(f"/groups/{c.group}/rules", data=RULE_FORM)
    assert r.status_code == 403
    assert "This form has expired" in r.text
    r = await app.client.post(f"/groups/{c.group}/rules", data=RULE_FORM | {"csrf_token": "0" * 64})
    assert r.status_code == 403
    token = csrf_from((await app.client.get(f"/groups/{c.group}")).text)
    r = await app.client.post(
        f"/groups/{c.group}/rules",
        data=RULE_FORM | {"csrf_token": token},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert (await app.client.get(f"/api/v1/groups/{c.group}/rules")).json()["allow_links"] is False


async def test_a_facilitator_lifts_a_ban_and_the_log_says_so(app: App) -> None:
    c = await cast(app)
    await as_user(app, FACILITATOR)
    page = (await app.client.get(f"/groups/{c.group}")).text
    assert "<strong>Bo</strong>" in page
    assert "banned by Fay" in page
    assert ": harassment" in page
    action = f"/groups/{c.group}/bans/{c.ids[BANNED]}/lift"
    assert f'action="{action}"' in page
    assert 'Unban<span class="visually-hidden"> Bo</span>' in page
    assert (await app.client.post(action, data={})).status_code == 403  # no CSRF token: refused
    r = await post_form(app, f"/groups/{c.group}", action)
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{c.group}?done=unbanned#bans")
    page = (await app.client.get(f"/groups/{c.group}?done=unbanned")).text
    assert "The ban was lifted." in page
    assert "Nobody is banned from this group." in page
    assert (await post_form(app, f"/groups/{c.group}", action)).status_code == 303  # a stale click: done
    await as_user(app, HOST)
    log = (await app.client.get(f"/groups/{c.group}")).text.split('<section id="log"')[1]
    first_row = log.split("<tbody>")[1].split("</tr>")[0]
    assert "<td>Lifted a ban</td>" in first_row
    assert "<td>Fay</td>" in first_row
    assert "<td>Bo</td>" in first_row
    assert "Outside a meeting" in first_row


async def test_a_member_cannot_lift_a_ban_through_the_form(app: App) -> None:
    c = await cast(app)
    await as_user(app, MEMBER)
    r = await post_form(app, f"/groups/{c.group}", f"/groups/{c.group}/bans/{c.ids[BANNED]}/lift")
    assert r.status_code == 403
    assert "can see and lift its bans" in r.text
    await as_user(app, HOST)
    assert len((await app.client.get(f"/api/v1/groups/{c.group}/bans")).json()["bans"]) == 1


async def record_in_two_meetings(app: App, c: Cast) -> int:
    await as_user(app, HOST)
    second = (await new_meeting(app, c.group, start_in=240, title="Thursday")).json()["id"]
    async with ledger(app) as room:
        await room.record(meeting_id=second, actor_id=c.ids[FACILITATOR], action="lock")
        await room.record(
            meeting_id=second, actor_id=None, action="report", target_id=c.ids[MEMBER], reason="personal_info"
        )
    return int(second)


async def test_the_log_shows_labels_people_reasons_and_times(app: App) -> None:
    c = await cast(app)
    await record_in_two_meetings(app, c)
    page = (await app.client.get(f"/groups/{c.group}")).text
    log = page.split('<section id="log"')[1].split("</section>")[0]
    headers = ["What happened", "Who", "On whom", "Reason", "Meeting", "When"]
    assert "".join(f'<th scope="col">{h}</th>' for h in headers) in log
    assert '<label for="log_meeting">Meeting</label>' in log
    report, lock, ban = log.split("<tbody>")[1].split("</tr>")[:3]
    assert "<td>A message was reported</td>" in report
    assert "Not recorded" in report  # who reported is never kept
    assert "<td>Mo</td>" in report
    assert "<td>personal info</td>" in report
    assert "<td>Thursday</td>" in report
    assert "<td>Locked the room</td>" in lock
    assert "<td>Fay</td>" in lock
    assert "<td>Banned a member from the group</td>" in ban
    assert "<td>harassment</td>" in ban
    assert '<time datetime="' in ban
    assert " UTC</time>" in ban


async def test_the_log_filters_by_meeting_with_the_select(app: App) -> None:
    c = await cast(app)
    second = await record_in_two_meetings(app, c)
    page = (await app.client.get(f"/groups/{c.group}?log_meeting={second}")).text
    log = page.split('<section id="log"')[1].split("</section>")[0]
    assert f'<option value="{second}" selected>Thursday,' in log
    assert "Locked the room" in log
    assert "Banned a member" not in log
    first = (await app.client.get(f"/groups/{c.group}?log_meeting={c.meeting}")).text
    assert "Banned a member" in first
    assert "Locked the room" not in first
    ignored = (await app.client.get(f"/groups/{c.group}?log_meeting=abc&log_before=x")).text
    assert "Banned a member" in ignored  # a bad filter shows everything rather than failing
    assert "Locked the room" in ignored


async def test_you_see_and_undo_your_blocks_on_the_account_page(app: App) -> None:
    c = await cast(app)
    await as_user(app, MEMBER)
    page = (await app.client.get("/account")).text
    assert "People you've blocked" in page
    assert "You haven't blocked anyone." in page
    async with ledger(app) as room:
        await room.block(user_id=c.ids[MEMBER], blocked_id=c.ids[BANNED], blocked=True)
    page = (await app.client.get("/account")).text
    action = f"/account/blocks/{c.ids[BANNED]}/unblock"
    assert f'action="{action}"' in page
    assert 'Unblock<span class="visually-hidden"> Bo</span>' in page
    assert (await app.client.post(action, data={})).status_code == 403  # CSRF enforced
    r = await post_form(app, "/account", action)
    assert (r.status_code, r.headers["location"]) == (303, "/account?unblocked=1#blocks")
    page = (await app.client.get("/account?unblocked=1")).text
    assert "Unblocked." in page
    assert "You haven't blocked anyone." in page
    await as_user(app, HOST)  # somebody else's list is not on their page
    assert "Unblock<span" not in (await app.client.get("/account")).text


async def test_unblocking_needs_a_login(app: App) -> None:
    r = await app.client.post("/account/blocks/1/unblock", data={})
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/account")
