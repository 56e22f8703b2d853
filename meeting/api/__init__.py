"""The JSON API under `/api/v1`: `api_routes()` for the app, `ENDPOINTS` for its OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.routing import Route

from meeting.accounts.models import UserCreate, UserPublic
from meeting.api import accounts, groups, moderation
from meeting.api.openapi import Endpoint, routes
from meeting.groups.models import (
    AcceptancePublic,
    GroupCreate,
    GroupDetail,
    MeetingCreate,
    MeetingPublic,
    MembershipPublic,
)
from meeting.moderation.models import AuditLog, BanList, BlockList, GroupRules


class SessionPublic(BaseModel):
    user: UserPublic


class Deleted(BaseModel):
    deleted: list[str]


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/accounts",
        accounts.create_account,
        "Create an account",
        body=UserCreate,
        returns=UserPublic,
        status=201,
        errors=(409, 415, 422, 429),
    ),
    Endpoint(
        "POST",
        "/session",
        accounts.log_in,
        "Log in (sets the session cookie)",
        body=accounts.Credentials,
        returns=SessionPublic,
        errors=(401, 415, 422, 429),
    ),
    Endpoint("DELETE", "/session", accounts.log_out, "Log out", status=204),
    Endpoint("GET", "/me", accounts.me, "The logged-in account", returns=UserPublic, auth=True),
    Endpoint(
        "PUT",
        "/me/password",
        accounts.change_password,
        "Change password (ends every other session)",
        body=accounts.PasswordChange,
        status=204,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/me",
        accounts.delete_account,
        "Delete the account and its personal data",
        body=accounts.AccountDeletion,
        returns=Deleted,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups",
        groups.create_group,
        "Create a group (platform hosts and admins; the creator becomes its host)",
        body=GroupCreate,
        returns=GroupDetail,
        status=201,
        errors=(403, 415, 422),
        auth=True,
    ),
    Endpoint(
        "GET", "/groups/{id}", groups.get_group, "A group", returns=GroupDetail, errors=(404,), auth=True
    ),
    Endpoint(
        "POST",
        "/groups/{id}/meetings",
        groups.create_meeting,
        "Schedule a meeting (group host or admin; times in ISO 8601 with an offset)",
        body=MeetingCreate,
        returns=MeetingPublic,
        status=201,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/facilitators",
        groups.assign_facilitator,
        "Make a user a facilitator of the group (group host or admin)",
        body=groups.FacilitatorAssign,
        returns=MembershipPublic,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/members",
        groups.join_group,
        "Join the group as a member (idempotent)",
        returns=MembershipPublic,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/agreement",
        groups.accept_guidelines,
        "Accept the group's current guidelines version",
        body=groups.Agreement,
        returns=AcceptancePublic,
        errors=(404, 409, 415, 422),
        auth=True,
    ),
    Endpoint(
        "PUT",
        "/groups/{id}/guidelines",
        groups.update_guidelines,
        "Replace the guidelines; members accept the new version again (group host or admin)",
        body=groups.GuidelinesUpdate,
        returns=GroupDetail,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/audit",
        moderation.get_audit,
        "The group's moderation log, newest first; query: meeting_id, limit (1-200, default 50), "
        "before (an entry id, for older entries) (group host or admin)",
        returns=AuditLog,
        errors=(403, 404, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/rules",
        moderation.get_rules,
        "The group's room rules (facilitators, group host, admin)",
        returns=GroupRules,
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "PUT",
        "/groups/{id}/rules",
        moderation.put_rules,
        "Replace the group's room rules; they apply to the next person entering (group host or admin)",
        body=GroupRules,
        returns=GroupRules,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/bans",
        moderation.list_bans,
        "Who is banned from the group's meetings (facilitators, group host, admin)",
        returns=BanList,
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/groups/{id}/bans/{user_id}",
        moderation.lift_ban,
        "Lift a ban (facilitators, group host, admin; only on someone they outrank)",
        status=204,
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/me/blocks",
        moderation.list_blocks,
        "The people you blocked (only you see this)",
        returns=BlockList,
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/me/blocks/{user_id}",
        moderation.remove_block,
        "Unblock someone",
        status=204,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/meetings/{id}",
        groups.get_meeting,
        "A meeting",
        returns=MeetingPublic,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/meetings/{id}/open",
        groups.open_meeting,
        "Open the meeting's room now, even early (facilitators, group host, admin)",
        returns=MeetingPublic,
        errors=(403, 404, 409),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/meetings/{id}/end",
        groups.end_meeting,
        "End the meeting for everyone (facilitators, group host, admin)",
        returns=MeetingPublic,
        errors=(403, 404),
        auth=True,
    ),
]


def api_routes() -> list[Route]:
    return routes(ENDPOINTS)
