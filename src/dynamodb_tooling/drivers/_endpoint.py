"""Decide where requests go: AWS, an explicit endpoint, the local server, or the embedded engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dynamodb_tooling.config import Config, get_endpoint, is_local_mode
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, LocalServer, shared_engine


@dataclass(frozen=True)
class Connection:
    """Resolved connection settings; ``credentials`` is ``None`` to use botocore's chain."""

    endpoint: str | None
    region: str
    credentials: tuple[str, str, str | None] | None
    profile: str | None
    embedded: bool = False

    @property
    def label(self) -> str:
        return self.endpoint or f"AWS DynamoDB ({self.region})"


def _configured_credentials(config: Config) -> tuple[str, str, str | None] | None:
    creds = config.credentials
    if creds is None:
        return None
    return creds.access_key_id, creds.secret_access_key, creds.session_token


def resolve_connection(config: Config, session: Any) -> Connection:
    """Apply the ``engine`` rules of :class:`Config` (``session`` is a botocore session)."""
    static = _configured_credentials(config)
    if config.engine == "embedded":
        return _embedded(config)
    endpoint = get_endpoint(config)
    if endpoint is not None:
        if static is None and is_local_mode(config) and session.get_credentials() is None:
            static = (*EMBEDDED_CREDENTIALS, None)  # local engines accept any key pair
        return Connection(endpoint, config.region, static, config.profile)
    if config.engine == "aws" or static is not None or config.profile:
        return Connection(None, config.region, static, config.profile)
    if session.get_credentials() is not None:
        return Connection(None, config.region, None, None)
    return _embedded(config)


def _embedded(config: Config) -> Connection:
    endpoint = shared_engine(lambda: _running_server_hint(config)).endpoint
    return Connection(endpoint, config.region, (*EMBEDDED_CREDENTIALS, None), None, embedded=True)


def _running_server_hint(config: Config) -> str:
    """When a ``dbtooling start`` server of this folder runs (``[local]`` settings), how to
    send requests to it instead: a new user starts it, then expects ``migrate`` to use it."""
    try:
        running = LocalServer.from_config(config.local).info()
    except OSError:  # an unreadable state folder: no hint rather than an error
        return ""
    if running is None:
        return ""
    return (
        f" A `dbtooling start` server is running at {running.endpoint}: set "
        'engine = "local" (DBTOOLING_ENGINE=local) or endpoint to use it.'
    )
