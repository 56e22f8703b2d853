"""Private groups are joined by request: a person asks, a facilitator or host answers."""

from __future__ import annotations

from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, people
from page_helpers import post_form, section
from support import App


async def private_group(app: App) -> dict[str, int]:
    ids = await people(app)
    await as_user(app, HOST)
    g = await new_group(app, name="Closed circle", visibility="private")
    ids["group"] = g["id"]
    return ids


async def test_a_private_group_is_joined_by_asking_and_being_let_in(app: App) -> None:
    ids = await private_group(app)
    gid = ids["group"]
    await as_user(app, OTHER)
    direct = await app.client.post(f"/api/v1/groups/{gid}/members")
    assert direct.status_code == 403
    assert "ask to join" in direct.json()["error"]["message"]
    asked = await app.client.post(f"/api/v1/groups/{gid}/join-requests")
    assert asked.status_code == 202, asked.text
    assert (await app.client.post(f"/api/v1/groups/{gid}/join-requests")).status_code == 202  # idempotent
    assert (
        await app.client.get(f"/api/v1/groups/{gid}/join-requests")
    ).status_code == 403  # not theirs to see

    await as_user(app, HOST)
    waiting = (await app.client.get(f"/api/v1/groups/{gid}/join-requests")).json()["requests"]
    assert [(r["user_id"], r["display_name"]) for r in waiting] == [(ids[OTHER], "Oz")]
    approved = await app.client.post(
        f"/api/v1/groups/{gid}/join-requests/{ids[OTHER]}", json={"approve": True}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["role"] == "member"
    assert (await app.client.get(f"/api/v1/groups/{gid}/join-requests")).json()["requests"] == []
    again = await app.client.post(f"/api/v1/groups/{gid}/join-requests/{ids[OTHER]}", json={"approve": True})
    assert again.status_code == 404  # answered already

    await as_user(app, OTHER)
    assert (await app.client.get(f"/api/v1/groups/{gid}")).json()["your_role"] == "member"


async def test_a_declined_request_leaves_no_membership_and_only_staff_answer(app: App) -> None:
    ids = await private_group(app)
    gid = ids["group"]
    for who in (OTHER, MEMBER):
        await as_user(app, who)
        assert (await app.client.post(f"/api/v1/groups/{gid}/join-requests")).status_code == 202
    await as_user(app, MEMBER)  # asked too: may not answer others
    decide = f"/api/v1/groups/{gid}/join-requests/{ids[OTHER]}"
    assert (await app.client.post(decide, json={"approve": True})).status_code == 403
    await as_user(app, ADMIN)
    assert (await app.client.post(decide, json={"approve": False})).status_code == 204
    assert (await app.client.post(decide, json={"approve": "perhaps"})).status_code == 422
    await as_user(app, OTHER)
    assert (await app.client.get(f"/api/v1/groups/{gid}")).json()["your_role"] is None


async def test_public_groups_are_joined_directly_not_by_request(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    g = await new_group(app, name="Open circle")
    await as_user(app, OTHER)
    asked = await app.client.post(f"/api/v1/groups/{g['id']}/join-requests")
    assert asked.status_code == 422
    assert "join it directly" in asked.json()["error"]["message"]
    assert (await app.client.post(f"/api/v1/groups/{g['id']}/members")).status_code == 200


async def test_asking_and_answering_through_the_group_page(app: App) -> None:
    ids = await private_group(app)
    page = f"/groups/{ids['group']}"
    await as_user(app, OTHER)
    before = await app.client.get(page)
    assert "Ask to join" in before.text
    asked = await post_form(app, page, f"{page}/ask")
    assert asked.status_code == 303
    after = await app.client.get(asked.headers["location"])
    assert "You asked to join" in after.text
    assert "Ask to join" not in after.text

    await as_user(app, HOST)
    staff_page = await app.client.get(page)
    requests_html = section(staff_page.text, "requests")
    assert "Oz" in requests_html
    assert "Let in" in requests_html
    answered = await post_form(app, page, f"{page}/requests", {"user_id": str(ids[OTHER]), "approve": "yes"})
    assert answered.status_code == 303
    assert "Nobody is waiting to join" in section((await app.client.get(page)).text, "requests")
    await as_user(app, OTHER)
    assert "You are a member of this group" in (await app.client.get(page)).text
