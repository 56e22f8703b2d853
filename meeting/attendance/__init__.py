"""Who is coming and who came: RSVPs with a waitlist, visitor passes, attendance counts,
each member's preferences, and the "my meetings" and notices feeds (`service`)."""
