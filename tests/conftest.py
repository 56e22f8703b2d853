"""Registers the shared fixtures from `support` for every test."""

from support import (  # noqa: F401
    app,
    chromium_path,
    cluster,
    database_url,
    postgres_migrated,
    redis_url,
    server,
)
