"""A group's directory fields as the pages' forms hold them: its topics, who leads it (and the
facilitator's credential line), its language, seats per meeting, who can find it, and whether
it welcomes visitors.

`/groups/new` and the dashboard's "Group details" read them with this one parser and show them
with one template macro (`directory_fields` in `templates/groups/_directory_fields.html`):

    entered = directory_entered(form)       # what was ticked and typed, to show it again
    values = directory_values(entered)      # for service.create_group(**values), update_group
    shown = directory_form(group, topics)   # a group's current values, shaped like `entered`
    ctx["choices"] = directory_choices()    # the options the macro offers

The services check every value (`meeting.groups.fields`) and raise `InvalidInput` naming the
field; only the seat count is read here, because a form sends it as text. Like the API, a post
that carries none of these fields at all (a script, or the creation form from before it had
them) leaves them out: the service's defaults for a new group, the current values otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.datastructures import FormData

from meeting.groups import service
from meeting.groups.fields import DIRECTORY_FIELDS
from meeting.groups.models import SIZE_LIMIT_MAX, SIZE_LIMIT_MIN, Group, GroupCreate
from meeting.groups.vocabulary import TOPICS, Style, Visibility
from meeting.web.directory import LANGUAGES
from meeting.web.pages import text

CHECKED = "yes"  # what a ticked checkbox sends
STYLE_HINTS = {
    Style.peer: "People with lived experience run the meetings.",
    Style.professional: "A trained professional runs the meetings; give their credential below.",
}
VISIBILITY_HINTS = {
    Visibility.listed: "Anyone on Hearth finds it in the directory and can join.",
    Visibility.unlisted: "Not in the directory: only people you give its link to find it.",
    Visibility.private: "Not in the directory, no visitors; a host or facilitator approves each new member.",
}


def directory_choices() -> dict[str, Any]:
    """The options of the directory fields, for the template macro: topics, styles and
    visibilities (each with a one-line explanation), and common languages to suggest."""
    return {
        "topics": TOPICS,
        "styles": [{"value": s.value, "label": s.label, "hint": STYLE_HINTS[s]} for s in Style],
        "visibilities": [
            {"value": v.value, "label": v.label, "hint": VISIBILITY_HINTS[v]} for v in Visibility
        ],
        "languages": sorted(LANGUAGES.items(), key=lambda item: item[1]),
    }


def directory_form(source: Group | GroupCreate, topics: Iterable[str]) -> dict[str, Any]:
    """The directory fields of a group (or of the defaults of a new one, `GroupCreate`), as the
    form shows them: text, a set of topic slugs, and "yes" or "" for the visitors checkbox."""
    return {
        "topics": set(topics),
        "style": source.style,
        "credential": source.credential or "",
        "language": source.language,
        "size_limit": str(source.size_limit),
        "visibility": source.visibility,
        "visitors_allowed": CHECKED if source.visitors_allowed else "",
    }


def new_group_form() -> dict[str, Any]:
    """The directory fields a new group starts with: the API's defaults."""
    defaults = GroupCreate(name="", description="")
    return directory_form(defaults, defaults.topics)


def directory_entered(form: FormData) -> dict[str, Any]:
    """What the person chose, shaped like `directory_form`, or {} when the post carries none of
    the directory fields. An unticked checkbox sends nothing, so it reads as not chosen."""
    if not any(name in form for name in DIRECTORY_FIELDS):
        return {}
    entered: dict[str, Any] = {name: text(form, name) for name in DIRECTORY_FIELDS}
    entered["topics"] = {value for value in form.getlist("topics") if isinstance(value, str)}
    return entered


def directory_values(entered: Mapping[str, Any]) -> dict[str, Any]:
    """The directory fields of `entered` (from `directory_entered`; other keys are ignored) as
    keyword values for `service.create_group` and the `changes` of `service.update_group`,
    which check them; {} when it has none. A peer-led group's credential line is dropped.
    Raises `service.InvalidInput` (field size_limit) when the seats are not a number."""
    if not any(name in entered for name in DIRECTORY_FIELDS):
        return {}
    size = entered["size_limit"].strip()
    if not size.isascii() or not size.isdigit() or len(size) > 4:
        raise service.InvalidInput(
            f"The size limit must be a whole number from {SIZE_LIMIT_MIN} to {SIZE_LIMIT_MAX}.",
            field="size_limit",
        )
    professional = entered["style"].strip().lower() == Style.professional.value
    return {
        "topics": sorted(entered["topics"]),
        "style": entered["style"],
        "credential": entered["credential"] if professional else None,
        "language": entered["language"],
        "size_limit": int(size),
        "visibility": entered["visibility"],
        "visitors_allowed": entered["visitors_allowed"] == CHECKED,
    }
