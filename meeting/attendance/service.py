"""RSVPs with a waitlist, visitor passes, attendance, preferences and the member's feeds, in
one namespace: `from meeting.attendance import service as attendance`.

The code lives in one module per subject, and new code may import from them directly:

- `errors`: `AttendanceError` and its kinds, each with the HTTP `status` and `code`;
- `seats`: who takes a seat, seats taken and left, the meeting lock;
- `rsvps`: RSVPing, cancelling, the waitlist moving up, the list of who is coming;
- `visits`: visitor passes and the room gate's question about them;
- `figures`: recording attendance and the numbers hosts see;
- `prefs`: each member's preferences and the zone to show times in;
- `feed`: the member's own meetings;
- `notices`: what the member should be told, what is new to them, marking it seen.

Every function takes an open `AsyncSession` and keyword arguments and raises an
`AttendanceError` or one of `meeting.groups.service`'s errors, whose messages are safe to show.
"""

from __future__ import annotations

from meeting.attendance.errors import (
    AttendanceError,
    BadInput,
    Conflict,
    NotInvited,
    Unavailable,
    VisitorsNotAllowed,
)
from meeting.attendance.feed import MyMeeting, my_meetings
from meeting.attendance.figures import Figures, figures, meetings_between, record_attendance
from meeting.attendance.notices import (
    PROMOTED,
    is_new,
    mark_seen,
    notices_for,
    record_promotions,
    seen_up_to,
    unread_count,
    visit_invitations,
)
from meeting.attendance.prefs import preferences, update_preferences, viewer_zone
from meeting.attendance.rsvps import (
    RsvpList,
    RsvpPerson,
    RsvpView,
    cancel_rsvp,
    fill_group,
    fill_seats,
    get_rsvp,
    require_standing,
    rsvp,
    rsvp_list,
    view_of,
    waitlist_position,
)
from meeting.attendance.seats import (
    STAFF_ROLES,
    check_takes_rsvps,
    is_over,
    is_staff,
    lock_meeting,
    seats_left,
    seats_taken,
)
from meeting.attendance.visits import visit_group, visitor_pass

__all__ = [
    "PROMOTED",
    "STAFF_ROLES",
    "AttendanceError",
    "BadInput",
    "Conflict",
    "Figures",
    "MyMeeting",
    "NotInvited",
    "RsvpList",
    "RsvpPerson",
    "RsvpView",
    "Unavailable",
    "VisitorsNotAllowed",
    "cancel_rsvp",
    "check_takes_rsvps",
    "figures",
    "fill_group",
    "fill_seats",
    "get_rsvp",
    "is_new",
    "is_over",
    "is_staff",
    "lock_meeting",
    "mark_seen",
    "meetings_between",
    "my_meetings",
    "notices_for",
    "preferences",
    "record_attendance",
    "record_promotions",
    "require_standing",
    "rsvp",
    "rsvp_list",
    "seats_left",
    "seats_taken",
    "seen_up_to",
    "unread_count",
    "update_preferences",
    "view_of",
    "viewer_zone",
    "visit_group",
    "visit_invitations",
    "visitor_pass",
    "waitlist_position",
]
