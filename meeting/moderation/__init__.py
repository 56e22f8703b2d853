"""Moderation kept by the app: the audit log, bans, blocks and each group's room rules.

`models` (tables and API shapes), `service` (audit, bans, blocks), `rules` (room rules and
the `RoomPolicy` the gate hands the engine) and `ledger` (`MeetingLedger`, what the room
engine calls to write these). The policy itself (who may, what a term matches) is in the
top-level `moderation` package, which does no I/O.
"""
