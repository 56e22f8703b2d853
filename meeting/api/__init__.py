"""The JSON API under `/api/v1`: `api_routes()` for the app, `ENDPOINTS` for its OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.routing import Route

from meeting.accounts.models import UserCreate, UserPublic
from meeting.api import accounts, groups, join_requests, meetings, moderation
from meeting.api.attendance import ENDPOINTS_ATTENDANCE
from meeting.api.openapi import Endpoint, routes
from meeting.groups.models import (
    AcceptancePublic,
    GroupCreate,
    GroupDetail,
    GroupUpdate,
    JoinDecision,
    MeetingCreate,
    MeetingExtend,
    MeetingList,
    MeetingPublic,
    MeetingScheduled,
    MeetingUpdate,
    MembershipPublic,
    SeriesDetail,
    SeriesUpdate,
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
        "GET",
        "/groups",
        groups.list_groups,
        "The directory: listed, active groups; query: topic (repeatable), style (peer|professional), "
        "language (BCP 47; 'en' also finds 'en-GB'), q (words in the name or description), day "
        "(mon..sun, repeatable) and from/to (local HH:MM) for the next meeting in tz (IANA, default "
        "UTC), has_seats=true, page, per_page (at most 50); soonest next meeting first",
        returns=groups.DirectoryPagePublic,
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
        "GET",
        "/groups/{id}",
        groups.get_group,
        "A group, its hosts and facilitators and its upcoming meetings",
        returns=GroupDetail,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "PATCH",
        "/groups/{id}",
        groups.update_group,
        "Change the group's name, description or directory fields (group host or admin)",
        body=GroupUpdate,
        returns=GroupDetail,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/archive",
        groups.archive_group,
        "Archive the group: it leaves the directory and its meetings not yet started are cancelled, "
        "with a notice to members (group host or admin; idempotent)",
        returns=GroupDetail,
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/hosts",
        groups.add_host,
        "Make a user a co-host of the group (group host or admin)",
        body=groups.HostAssign,
        returns=MembershipPublic,
        errors=(403, 404, 415, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/meetings",
        groups.list_meetings,
        "The group's meetings overlapping a window, cancelled ones included; query: from, to "
        "(ISO 8601 with an offset, or a date; default now to eight weeks later; at most a year)",
        returns=MeetingList,
        errors=(404, 422),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/meetings",
        groups.create_meeting,
        "Schedule a meeting, or with rrule a series whose first occurrence is starts_at-ends_at "
        "(group host or admin; times in ISO 8601 with an offset; timezone IANA)",
        body=MeetingCreate,
        returns=MeetingScheduled,
        status=201,
        errors=(403, 404, 409, 415, 422),
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
        "/groups/{id}/join-requests",
        join_requests.ask,
        "Ask to join a private group (a host or facilitator answers)",
        status=202,
        errors=(404, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/join-requests",
        join_requests.pending,
        "Requests to join waiting for an answer, oldest first (facilitators and up)",
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/groups/{id}/join-requests/{user_id}",
        join_requests.decide,
        "Approve (the person becomes a member) or decline a request to join",
        body=JoinDecision,
        returns=MembershipPublic,
        errors=(403, 404, 422),
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
        "PATCH",
        "/meetings/{id}",
        meetings.update_meeting,
        "Change one meeting's title or times; an occurrence so changed keeps them when its series "
        "is edited (group host or admin)",
        body=MeetingUpdate,
        returns=MeetingPublic,
        errors=(403, 404, 409, 415, 422),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/meetings/{id}/cancel",
        meetings.cancel_meeting,
        "Cancel a meeting that has not started (facilitators, group host, admin; idempotent)",
        returns=MeetingPublic,
        errors=(403, 404, 409),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/meetings/{id}/extend",
        meetings.extend_meeting,
        "Move the meeting's end 5 to 120 minutes later (facilitators, group host, admin)",
        body=MeetingExtend,
        returns=MeetingPublic,
        errors=(403, 404, 409, 415, 422),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/series/{id}",
        meetings.get_series,
        "A meeting series and its next 10 occurrences",
        returns=SeriesDetail,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "PATCH",
        "/series/{id}",
        meetings.update_series,
        "Change a series' title, first occurrence, time zone or rule; its future occurrences follow "
        "(group host or admin)",
        body=SeriesUpdate,
        returns=SeriesDetail,
        errors=(403, 404, 409, 415, 422),
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


# Attendance, RSVPs and calendars go first: `GET /meetings/{id}.ics` must win over `GET /meetings/{id}`.
ENDPOINTS[:0] = ENDPOINTS_ATTENDANCE


def api_routes() -> list[Route]:
    return routes(ENDPOINTS)
