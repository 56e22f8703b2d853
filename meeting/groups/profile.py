"""A group's own record: creating it, changing its name, description, directory fields,
topics and guidelines text, and looking groups up.

    group = await create_group(s, creator=host, name="Tuesday circle", description="...")
    await update_group(s, group=group, actor=host, changes={"size_limit": 8})
    await update_guidelines(s, group=group, actor=host, text="Be kind.")   # a new version

The person who writes a guidelines version (the creator of a group, or a host rewriting them)
is recorded as having accepted it. Fields are checked by `meeting.groups.fields`
(`InvalidInput` naming the field); powers by `meeting.groups.access` (`Forbidden`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.groups.access import EDIT_REFUSED, require
from meeting.groups.errors import InvalidInput, NotFound
from meeting.groups.fields import (
    DIRECTORY_FIELDS,
    check_credential,
    check_language,
    check_size_limit,
    check_style,
    check_topics,
    check_visibility,
    clean_line,
    clean_text,
)
from meeting.groups.models import (
    DEFAULT_GUIDELINES,
    DEFAULT_TOPICS,
    DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    GUIDELINES_MAX,
    Group,
    GroupRole,
    GroupRoleName,
    GroupTopic,
    GuidelinesAcceptance,
)
from meeting.groups.vocabulary import Style, parse_topics
from moderation.permissions import Action


async def create_group(
    s: AsyncSession,
    *,
    creator: User,
    name: str,
    description: str,
    guidelines: str | None = None,
    topics: Iterable[str] = DEFAULT_TOPICS,
    style: str = "peer",
    credential: str | None = None,
    language: str = "en",
    size_limit: int = 12,
    visibility: str = "listed",
    visitors_allowed: bool = True,
) -> Group:
    """Create a group with `creator` as its host; blank `guidelines` means `DEFAULT_GUIDELINES`.
    The directory fields are checked against `meeting.groups.vocabulary` (`InvalidInput`)."""
    assert creator.id is not None
    await require(s, action=Action.create_group, user=creator, group_id=None)
    checked_style = check_style(style)
    group = Group(
        name=clean_line(name, field="name", label="The group's name", most=GROUP_NAME_MAX),
        description=clean_text(
            description, field="description", label="The description", most=DESCRIPTION_MAX, least=0
        ),
        guidelines=DEFAULT_GUIDELINES
        if guidelines is None or not guidelines.strip()
        else clean_text(guidelines, field="guidelines", label="The guidelines", most=GUIDELINES_MAX),
        style=checked_style.value,
        credential=check_credential(credential, style=checked_style),
        language=check_language(language),
        size_limit=check_size_limit(size_limit),
        visibility=check_visibility(visibility).value,
        visitors_allowed=bool(visitors_allowed),
    )
    checked_topics = check_topics(topics)
    s.add(group)
    await s.flush()
    assert group.id is not None
    s.add(GroupRole(group_id=group.id, user_id=creator.id, role=GroupRoleName.host))
    s.add(GuidelinesAcceptance(group_id=group.id, user_id=creator.id, version=group.guidelines_version))
    await _set_topics(s, group_id=group.id, topics=checked_topics)
    await s.flush()
    return group


async def update_group(s: AsyncSession, *, group: Group, actor: User, changes: Mapping[str, Any]) -> Group:
    """Change any of name, description and the directory fields (`DIRECTORY_FIELDS`); keys
    left out keep their value. A group that becomes peer-led loses its credential line."""
    assert group.id is not None
    await require(s, action=Action.edit_guidelines, user=actor, group_id=group.id, refusal=EDIT_REFUSED)
    unknown = set(changes) - {"name", "description", *DIRECTORY_FIELDS}
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    if "name" in changes:
        group.name = clean_line(changes["name"], field="name", label="The group's name", most=GROUP_NAME_MAX)
    if "description" in changes:
        group.description = clean_text(
            changes["description"],
            field="description",
            label="The description",
            most=DESCRIPTION_MAX,
            least=0,
        )
    style = check_style(changes["style"]) if "style" in changes else Style(group.style)
    if "credential" in changes:
        group.credential = check_credential(changes["credential"], style=style)
    elif style is not Style.professional:
        group.credential = None
    group.style = style.value
    if "language" in changes:
        group.language = check_language(changes["language"])
    if "size_limit" in changes:
        group.size_limit = check_size_limit(changes["size_limit"])
    if "visibility" in changes:
        group.visibility = check_visibility(changes["visibility"]).value
    if "visitors_allowed" in changes:
        if not isinstance(changes["visitors_allowed"], bool):
            raise InvalidInput("visitors_allowed must be true or false.", field="visitors_allowed")
        group.visitors_allowed = changes["visitors_allowed"]
    if "topics" in changes:
        await _set_topics(s, group_id=group.id, topics=check_topics(changes["topics"]))
    s.add(group)
    await s.flush()
    return group


async def _set_topics(s: AsyncSession, *, group_id: int, topics: Iterable[str]) -> None:
    await s.exec(sa.delete(GroupTopic).where(col(GroupTopic.group_id) == group_id))
    for topic in topics:
        s.add(GroupTopic(group_id=group_id, topic=topic))
    await s.flush()


async def topics_of(s: AsyncSession, *, group_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each group's topic slugs, in vocabulary order (an id with none maps to [])."""
    ids = list(group_ids)
    found: dict[int, list[str]] = {group_id: [] for group_id in ids}
    if not ids:
        return found
    query = select(GroupTopic).where(col(GroupTopic.group_id).in_(ids))
    for row in (await s.exec(query)).all():
        found[row.group_id].append(row.topic)
    return {group_id: list(parse_topics(topics)) for group_id, topics in found.items()}


async def get_group(s: AsyncSession, *, group_id: int) -> Group:
    group = await s.get(Group, group_id)
    if group is None:
        raise NotFound(f"No group with id {group_id}.")
    return group


async def all_groups(s: AsyncSession) -> list[Group]:
    return list((await s.exec(select(Group).order_by(col(Group.name)))).all())


async def update_guidelines(s: AsyncSession, *, group: Group, actor: User, text: str) -> Group:
    """Replace the guidelines and bump the version (unless the text is unchanged)."""
    assert group.id is not None
    assert actor.id is not None
    await require(s, action=Action.edit_guidelines, user=actor, group_id=group.id)
    cleaned = clean_text(text, field="text", label="The guidelines", most=GUIDELINES_MAX)
    if cleaned != group.guidelines:
        group.guidelines, group.guidelines_version = cleaned, group.guidelines_version + 1
        s.add(group)
        s.add(GuidelinesAcceptance(group_id=group.id, user_id=actor.id, version=group.guidelines_version))
        await s.flush()
    return group
