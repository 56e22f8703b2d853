"""Who is coming and who came: RSVPs with a waitlist, visitor passes, attendance counts,
each member's preferences, their own meetings and their notices (`service` names it all)."""
