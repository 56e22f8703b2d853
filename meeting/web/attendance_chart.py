"""The dashboard's attendance chart: a small server-drawn SVG of the last meetings held, RSVPs
"going" against those who came, with a one-line summary for its description (numbers only,
never what was said). The page shows a table of the same figures below it.

    drawn = chart(figures, zone)   # None when no meeting was held; else what the template draws
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from meeting.attendance import service as attendance
from meeting.groups.models import MeetingState
from meeting.web.localtime import day_text

CHART_BARS = 12
CHART_W, CHART_H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 44


def chart(figures: list[attendance.Figures], zone: ZoneInfo) -> dict[str, Any] | None:
    """Bars for the last `CHART_BARS` meetings held: RSVPs "going" and those who came."""
    held = [f for f in figures if f.state != MeetingState.cancelled and f.no_shows is not None][-CHART_BARS:]
    if not held:
        return None
    top = max(1, *(max(f.rsvp_going, f.attended) for f in held))
    plot_w, plot_h = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
    slot = plot_w / len(held)
    bar = min(22.0, slot * 0.36)
    base = TOP + plot_h

    def height(value: int) -> float:
        return round(plot_h * value / top, 1)

    bars = []
    for i, f in enumerate(held):
        middle = LEFT + slot * i + slot / 2
        local = f.starts_at.astimezone(zone)
        bars.append(
            {
                "going": {"x": round(middle - bar - 1, 1), "h": height(f.rsvp_going), "n": f.rsvp_going},
                "came": {"x": round(middle + 1, 1), "h": height(f.attended), "n": f.attended},
                "w": round(bar, 1),
                "label_x": round(middle, 1),
                "label": f"{local.day} {local:%b}",
                # with many bars, every other date is left out on small screens (CSS)
                "minor": len(held) > 6 and (len(held) - 1 - i) % 2 == 1,
            }
        )
    ticks = sorted({0, top // 2, top})
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": LEFT,
        "right": CHART_W - RIGHT,
        "base": base,
        "label_y": base + 18,
        "bars": bars,
        "ticks": [{"y": round(base - plot_h * t / top, 1), "n": t} for t in ticks],
        "title": f"Attendance at the last {len(held)} meetings held"
        if len(held) > 1
        else "Attendance at the last meeting held",
        "summary": _summary(held, zone),
    }


def _summary(held: list[attendance.Figures], zone: ZoneInfo) -> str:
    first, last = (day_text(f.starts_at.astimezone(zone)) for f in (held[0], held[-1]))
    came = sum(f.attended for f in held) / len(held)
    going = sum(f.rsvp_going for f in held) / len(held)
    if len(held) == 1:
        return f"1 meeting, on {first}: {came:.0f} came of {going:.0f} who RSVPed."
    return (
        f"{len(held)} meetings from {first} to {last}: on average {came:.1f} came of {going:.1f} who RSVPed."
    )
