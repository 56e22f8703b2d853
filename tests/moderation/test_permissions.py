"""`moderation.permissions.may` as a table: every action against every kind of person."""

from __future__ import annotations

import pytest

from moderation.permissions import (
    RULES,
    Action,
    Standing,
    may,
    may_act_on,
    may_in_room,
    room_standing,
    standing,
)

# persona: (platform role, role in the group the action is about)
PERSONAS = {
    "admin": ("admin", None),  # platform admin with no role in this group
    "platform-host": ("host", None),  # may create groups, but hosts a *different* group
    "host": ("host", "host"),
    "member-hosting": ("member", "host"),  # a group host whose platform role is plain member
    "facilitator": ("member", "facilitator"),
    "member": ("member", "member"),
    "visitor": ("member", None),
}
EVERYONE = frozenset(PERSONAS)
IN_GROUP = frozenset({"admin", "host", "member-hosting", "facilitator", "member"})
RUNS_MEETINGS = frozenset({"admin", "host", "member-hosting", "facilitator"})
HOSTS = frozenset({"admin", "host", "member-hosting"})

ALLOWED = {
    Action.create_group: frozenset({"admin", "platform-host", "host"}),
    Action.view_group: EVERYONE,
    Action.join_group: EVERYONE,
    Action.accept_guidelines: EVERYONE,
    Action.view_meeting: EVERYONE,
    Action.enter_room: IN_GROUP,
    Action.open_meeting: RUNS_MEETINGS,
    Action.end_meeting: RUNS_MEETINGS,
    Action.create_meeting: HOSTS,
    Action.assign_facilitator: HOSTS,
    Action.edit_guidelines: HOSTS,
    Action.edit_rules: HOSTS,
    Action.view_audit: HOSTS,
    Action.view_rules: RUNS_MEETINGS,
    Action.unban: RUNS_MEETINGS,
    # in the room: members speak, report, block and ask for help; staff run the meeting
    Action.say: IN_GROUP,
    Action.raise_hand: IN_GROUP,
    Action.report: EVERYONE,  # a visitor trying the group may still report, block, ask for help
    Action.block: EVERYONE,
    Action.ask_facilitator: EVERYONE,
    **{
        action: RUNS_MEETINGS
        for action in (
            Action.mute,
            Action.unmute,
            Action.remove,
            Action.ban,
            Action.lock,
            Action.slow_mode,
            Action.facilitated_mode,
            Action.give_floor,
            Action.delete_message,
            Action.announce,
            Action.admit,
            Action.to_waiting_room,
            Action.run_round,
            Action.reply_privately,
        )
    },
}


def test_the_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(Action) == set(RULES)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_may(action: Action, persona: str) -> None:
    platform_role, group_role = PERSONAS[persona]
    assert may(action, platform_role=platform_role, group_role=group_role) is (persona in ALLOWED[action])


def test_plain_strings_work_like_the_enum() -> None:
    assert may("create_meeting", platform_role="member", group_role="host")
    assert not may("create_meeting", platform_role="member", group_role="facilitator")


def test_a_facilitator_of_one_group_has_no_power_in_another() -> None:
    # The same person: facilitator in group A, no role in group B.
    assert may(Action.open_meeting, platform_role="member", group_role="facilitator")
    assert not may(Action.open_meeting, platform_role="member", group_role=None)
    assert not may(Action.enter_room, platform_role="member", group_role=None)


def test_standing_ranks_admin_over_host_over_facilitator_over_member_over_visitor() -> None:
    ranks = [
        standing(platform_role="admin", group_role="member"),
        standing(platform_role="member", group_role="host"),
        standing(platform_role="member", group_role="facilitator"),
        standing(platform_role="member", group_role="member"),
        standing(platform_role="member", group_role=None),
    ]
    assert ranks == [Standing.admin, Standing.host, Standing.facilitator, Standing.member, Standing.visitor]
    assert ranks == sorted(ranks, reverse=True)


def test_unknown_roles_never_grant_power() -> None:
    assert standing(platform_role="owner", group_role=None) == Standing.visitor
    assert standing(platform_role="member", group_role="superuser") == Standing.visitor
    assert standing(platform_role="owner", group_role=None, platform=True) == Standing.member
    assert not may(Action.create_group, platform_role="owner", group_role="host")
    assert not may(Action.enter_room, platform_role="member", group_role="Host")


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(ValueError, match="delete_everything"):
        may("delete_everything", platform_role="admin", group_role=None)


# (actor's room role, target's room role, may act): only someone who outranks the target acts
# on them; an admin acts even on another admin; nobody below an admin acts on an admin.
ACTS_ON = [
    ("admin", "admin", True),
    ("admin", "host", True),
    ("host", "facilitator", True),
    ("host", "host", False),  # peers never act on each other
    ("host", "admin", False),
    ("facilitator", "member", True),
    ("facilitator", "facilitator", False),
    ("facilitator", "host", False),
    ("facilitator", "admin", False),
    ("member", "member", False),  # no standing to act at all
]


@pytest.mark.parametrize(("actor", "target", "allowed"), ACTS_ON)
def test_who_may_act_on_whom(actor: str, target: str, allowed: bool) -> None:
    assert may_act_on(room_standing(actor), room_standing(target)) is (allowed and actor != "member")
    assert may_in_room(Action.mute, actor_role=actor, target_role=target) is allowed


@pytest.mark.parametrize("role", ["admin", "host", "facilitator", "member", "nonsense"])
def test_room_actions_follow_room_roles(role: str) -> None:
    staff = role in ("admin", "host", "facilitator")
    assert may_in_room(Action.lock, actor_role=role) is staff
    assert may_in_room(Action.say, actor_role=role)  # an unknown role ranks as a member
    assert room_standing(role) == (Standing[role] if staff else Standing.member)
