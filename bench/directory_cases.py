"""The directory queries `bench/directory.py` times (`CASES`) and explains (`EXPLAINED`).

Each case is the query string of one `GET /api/v1/groups`, as (name, value) pairs, chosen
for the seeded directory (`directory_seed`): "grief" is a minor topic, "burnout" a word in a
few group names, "circle" one in about a quarter of them, Tuesday and Thursday evenings in
New York a popular slot. `REFERENCE` is timed in the same rounds: the same login check and
JSON without any directory query.
"""

from __future__ import annotations

VIEWER_ZONE = "America/New_York"
DAY_TIME = [("day", "tue"), ("day", "thu"), ("from", "18:00"), ("to", "21:00"), ("tz", VIEWER_ZONE)]
CASES: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "one topic": [("topic", "grief")],
    "several topics": [("topic", "anxiety"), ("topic", "depression"), ("topic", "stress")],
    "style": [("style", "professional")],
    "language": [("language", "es")],
    "q, rare word": [("q", "burnout")],
    "q, common word": [("q", "circle")],
    "day + time window": DAY_TIME,
    "has_seats": [("has_seats", "true")],
    "everything": [
        ("topic", "anxiety"),
        ("topic", "depression"),
        ("style", "peer"),
        ("language", "en"),
        ("q", "circle"),
        *DAY_TIME,
        ("has_seats", "true"),
    ],
    "page 20": [("page", "20")],
    "page 20 + has_seats": [("page", "20"), ("has_seats", "true")],
}
REFERENCE = "GET /api/v1/me (reference)"
EXPLAINED = (
    "none",
    "several topics",
    "q, rare word",
    "day + time window",
    "has_seats",
    "everything",
    "page 20",
)
