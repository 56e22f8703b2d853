"""Prometheus metrics for the room engine: counts and timings only, never content or identities."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram


@dataclass(frozen=True)
class RoomMetrics:
    connections: Gauge
    rooms: Gauge
    relayed: Counter
    fanout_seconds: Histogram
    broker_reconnects: Gauge
    slow_consumers: Counter
    refusals: Counter


METRICS = RoomMetrics(
    connections=Gauge("hearth_ws_connections", "Open WebSocket connections on this process"),
    rooms=Gauge("hearth_rooms_live", "Rooms with at least one member connected to this process"),
    relayed=Counter("hearth_room_events_relayed", "Room events fanned out by this process"),
    fanout_seconds=Histogram(
        "hearth_fanout_seconds",
        "Time to offer one room event to every local member",
        buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
    ),
    broker_reconnects=Gauge("hearth_broker_reconnects", "Times the broker reconnected to Redis"),
    slow_consumers=Counter("hearth_slow_consumer_disconnects", "Connections closed with 1013 (too slow)"),
    refusals=Counter("hearth_ws_refusals", "WebSocket entries refused", ["code"]),
)
