"""Reminder emails 24 hours and 1 hour before a meeting someone RSVPed to (`service`), sent
through SMTP (`mail`), each exactly once across processes (claimed in `reminders_sent`)."""
