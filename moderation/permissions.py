"""Who may do what in a group: one table, no I/O, stdlib only.

Call `may(action, platform_role=user.role, group_role=role_in_this_group)` where
`platform_role` is the account's platform role ("admin", "host" or "member") and
`group_role` is the person's role in *the group the action is about* ("host",
"facilitator", "member") or None when they have none there. Both accept plain strings, so
`meeting.accounts.models.Role` and the group role enum pass straight through.

Standing ranks Admin > group host > facilitator > member > visitor (a logged-in person with
no role in the group). A platform admin has full standing everywhere; a group role counts
only in its own group, so a facilitator of one group is a visitor in every other. The one
platform-scoped action, `create_group`, is decided by the platform role alone: platform
admins and hosts may create groups, and the creator then becomes that group's host.

Keeping the decision here, apart from the database and HTTP code, lets it be read and
tested as a table, and lets the pages, the API and the room gate share one rule set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Standing(IntEnum):
    """How much say someone has, lowest first; higher standing includes all lower powers."""

    visitor = 0
    member = 1
    facilitator = 2
    host = 3
    admin = 4


class Action(StrEnum):
    create_group = "create_group"
    view_group = "view_group"
    join_group = "join_group"
    accept_guidelines = "accept_guidelines"
    view_meeting = "view_meeting"
    enter_room = "enter_room"
    open_meeting = "open_meeting"
    end_meeting = "end_meeting"
    create_meeting = "create_meeting"
    assign_facilitator = "assign_facilitator"
    edit_guidelines = "edit_guidelines"
    edit_rules = "edit_rules"  # a group's automatic rules: links, blocked terms, rates, waiting room
    view_audit = "view_audit"
    view_rules = "view_rules"
    unban = "unban"
    # In a meeting's room (WebSocket frames of the same names):
    say = "say"
    raise_hand = "raise_hand"
    report = "report"
    block = "block"
    ask_facilitator = "ask_facilitator"
    mute = "mute"
    unmute = "unmute"
    remove = "remove"
    ban = "ban"
    lock = "lock"
    slow_mode = "slow_mode"
    facilitated_mode = "facilitated_mode"
    give_floor = "give_floor"
    delete_message = "delete_message"
    announce = "announce"
    admit = "admit"
    to_waiting_room = "to_waiting_room"
    run_round = "run_round"
    reply_privately = "reply_privately"


@dataclass(frozen=True)
class Rule:
    """`minimum` standing needed; `platform` rules rank by platform role, not group role."""

    minimum: Standing
    platform: bool = False


RULES: dict[Action, Rule] = {
    Action.create_group: Rule(Standing.host, platform=True),
    Action.view_group: Rule(Standing.visitor),
    Action.join_group: Rule(Standing.visitor),
    Action.accept_guidelines: Rule(Standing.visitor),
    Action.view_meeting: Rule(Standing.visitor),
    Action.enter_room: Rule(Standing.member),
    Action.open_meeting: Rule(Standing.facilitator),
    Action.end_meeting: Rule(Standing.facilitator),
    Action.create_meeting: Rule(Standing.host),
    Action.assign_facilitator: Rule(Standing.host),
    Action.edit_guidelines: Rule(Standing.host),
    Action.edit_rules: Rule(Standing.host),
    Action.view_audit: Rule(Standing.host),
    Action.view_rules: Rule(Standing.facilitator),
    Action.unban: Rule(Standing.facilitator),
    Action.say: Rule(Standing.member),  # a visitor listens and reacts; they may still ask for help,
    Action.raise_hand: Rule(Standing.member),
    Action.report: Rule(Standing.visitor),  # report what hurts them, and block someone
    Action.block: Rule(Standing.visitor),
    Action.ask_facilitator: Rule(Standing.visitor),
    Action.mute: Rule(Standing.facilitator),
    Action.unmute: Rule(Standing.facilitator),
    Action.remove: Rule(Standing.facilitator),
    Action.ban: Rule(Standing.facilitator),
    Action.lock: Rule(Standing.facilitator),
    Action.slow_mode: Rule(Standing.facilitator),
    Action.facilitated_mode: Rule(Standing.facilitator),
    Action.give_floor: Rule(Standing.facilitator),
    Action.delete_message: Rule(Standing.facilitator),
    Action.announce: Rule(Standing.facilitator),
    Action.admit: Rule(Standing.facilitator),
    Action.to_waiting_room: Rule(Standing.facilitator),
    Action.run_round: Rule(Standing.facilitator),
    Action.reply_privately: Rule(Standing.facilitator),
}

# Actions aimed at a person: beyond `may`, the actor must outrank the target (`may_act_on`).
TARGETED = frozenset(
    {Action.mute, Action.unmute, Action.remove, Action.ban, Action.unban, Action.to_waiting_room}
)

_ROOM_STANDING = {
    "admin": Standing.admin,
    "host": Standing.host,
    "facilitator": Standing.facilitator,
    "visitor": Standing.visitor,
}
_GROUP_STANDING = {"host": Standing.host, "facilitator": Standing.facilitator, "member": Standing.member}
_PLATFORM_STANDING = {"admin": Standing.admin, "host": Standing.host}


def standing(*, platform_role: str, group_role: str | None, platform: bool = False) -> Standing:
    """The standing of someone with these roles, in a group (or platform-wide if `platform`).

    Unknown role names rank as visitor, so a typo can only take power away, never grant it.
    """
    if platform_role == "admin":
        return Standing.admin
    if platform:
        return _PLATFORM_STANDING.get(platform_role, Standing.member)
    if group_role is None:
        return Standing.visitor
    return _GROUP_STANDING.get(group_role, Standing.visitor)


def may(action: Action | str, *, platform_role: str, group_role: str | None) -> bool:
    """True when someone with these roles may take `action`; raises ValueError on an unknown action."""
    rule = RULES[Action(action)]
    return standing(platform_role=platform_role, group_role=group_role, platform=rule.platform) >= (
        rule.minimum
    )


def room_standing(room_role: str) -> Standing:
    """Standing from a room role ("admin", "host", "facilitator", "member", "visitor"); unknown
    roles rank as member."""
    return _ROOM_STANDING.get(room_role, Standing.member)


def may_act_on(actor: Standing, target: Standing) -> bool:
    """Whether someone may mute, remove, ban or move a person: only someone who outranks them.

    A facilitator acts on members (and visitors), a host also on facilitators, an admin on
    anyone, other admins included. Nobody acts on a peer, so two facilitators cannot silence
    each other, and nobody but an admin acts on an admin.
    """
    return actor > target or actor == Standing.admin


def may_in_room(action: Action | str, *, actor_role: str, target_role: str | None = None) -> bool:
    """The room's question: may someone with room role `actor_role` take `action` (on a person
    whose room role is `target_role`, for the targeted actions)? The room role already folds in
    the group and platform roles, so this is `may` plus `may_act_on`."""
    action = Action(action)
    actor = room_standing(actor_role)
    if actor < RULES[action].minimum:
        return False
    if action in TARGETED and target_role is not None:
        return may_act_on(actor, room_standing(target_role))
    return True
