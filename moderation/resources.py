"""Crisis resources: who to reach when a meeting is not enough. Pure data and validation.

A deployment may replace the defaults with a JSON file (`HEARTH_CRISIS_RESOURCES`) holding
`{"intro": "...", "resources": [{"name": ..., "contact": ..., "description": ...,
"url": optional}]}`; `parse_resources` validates it and names the first bad entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    name: str
    contact: str
    description: str
    url: str | None = None


@dataclass(frozen=True)
class CrisisResources:
    intro: str
    resources: tuple[Resource, ...]


DEFAULT = CrisisResources(
    intro=(
        "If you might act on thoughts of harming yourself or someone else, or you are in "
        "danger now, please reach out right away. You deserve support."
    ),
    resources=(
        Resource(
            name="Emergency services",
            contact="Call your local emergency number (911 in the US, 112 in the EU, 999 in the UK)",
            description="If you or someone else is in immediate danger.",
        ),
        Resource(
            name="988 Suicide & Crisis Lifeline (US)",
            contact="Call or text 988",
            description="Free, confidential support, 24 hours a day, for anyone in distress.",
            url="https://988lifeline.org",
        ),
        Resource(
            name="Someone you trust",
            contact="A friend, family member, doctor or counsellor",
            description="You don't have to hold this alone; telling one person can help.",
        ),
    ),
)


class ResourcesInvalid(ValueError):
    """The resources document is malformed; the message says where."""


def parse_resources(doc: Any) -> CrisisResources:
    """Validate a decoded JSON document into `CrisisResources`."""
    if not isinstance(doc, dict):
        raise ResourcesInvalid("must be a JSON object with 'intro' and 'resources'")
    intro = doc.get("intro", DEFAULT.intro)
    items = doc.get("resources")
    if not isinstance(intro, str) or not intro.strip():
        raise ResourcesInvalid("'intro' must be non-empty text")
    if not isinstance(items, list) or not items:
        raise ResourcesInvalid("'resources' must be a non-empty list")
    parsed = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ResourcesInvalid(f"resources[{i}] must be an object")
        fields = {}
        for key in ("name", "contact", "description"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ResourcesInvalid(f"resources[{i}].{key} must be non-empty text")
            fields[key] = value.strip()
        url = item.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "tel:"))):
            raise ResourcesInvalid(f"resources[{i}].url must start with https:// or tel:")
        parsed.append(Resource(url=url, **fields))
    return CrisisResources(intro=intro.strip(), resources=tuple(parsed))
