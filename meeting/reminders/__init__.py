"""Emails: reminders 24 hours and 1 hour before a meeting someone RSVPed to (`service`), each
exactly once across processes (claimed in `reminders_sent`), and "a seat opened up" when the
waitlist moves someone up (`seats`), all sent through SMTP (`mail`)."""
