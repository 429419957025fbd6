"""Configuration: typed options, loading, validation and the helpers built on them.

>>> from dynamodb_tooling import set_config, get_config
>>> set_config(region="eu-west-1", single_table_design={"gsi_count": 3}).region
'eu-west-1'
"""

from __future__ import annotations

import ipaddress
import os
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dynamodb_tooling._types import GlobalSecondaryIndex
from dynamodb_tooling.config._loader import (
    deep_merge,
    environment_names,
    find_config_file,
    load_raw_config,
    normalize_keys,
    read_config_file,
    validate_raw,
)
from dynamodb_tooling.config._schema import (
    AutoScalingConfig,
    CachingConfig,
    CapacityConfig,
    Config,
    ContributorInsightsConfig,
    CredentialsConfig,
    Engine,
    HookEvent,
    HooksConfig,
    HttpOptions,
    IndexDefinition,
    LocalConfig,
    LocalIndexDefinition,
    MultiTenancyConfig,
    QueryBuilderConfig,
    ScalingTarget,
    SingleTableDesignConfig,
    SoftDeletesConfig,
    SseConfig,
    StreamsConfig,
    TtlConfig,
    check_table_name,
)

_lock = threading.Lock()
_current: Config | None = None


def get_config() -> Config:
    """The active configuration, loaded from files and environment on first use."""
    global _current
    current = _current  # the hot path: a frozen Config, read without the lock
    if current is not None:
        return current
    with _lock:
        if _current is None:
            _current = validate_raw(load_raw_config())
        return _current


def set_config(config: Config | Mapping[str, Any] | None = None, **overrides: Any) -> Config:
    """Change the active configuration: a whole :class:`Config`, or options merged over it.

    ``set_config(region="eu-west-1", capacity={"billing_mode": "PROVISIONED", ...})`` merges
    nested sections; the result is validated as a whole and raises :class:`ConfigError`.
    """
    global _current
    if isinstance(config, Config) and not overrides:
        with _lock:
            _current = config
        return config
    validated = _merged(get_config(), config, overrides)
    with _lock:
        _current = validated
    return validated


def _merged(
    base: Config, config: Config | Mapping[str, Any] | None, overrides: Mapping[str, Any]
) -> Config:
    changes: dict[str, Any] = {}
    if isinstance(config, Config):
        changes = config.model_dump()
    elif config is not None:
        changes = dict(config)
    raw = deep_merge(base.model_dump(exclude_unset=False), normalize_keys(changes))
    return validate_raw(deep_merge(raw, normalize_keys(overrides)))


@contextmanager
def use_config(
    config: Config | Mapping[str, Any] | None = None, **overrides: Any
) -> Iterator[Config]:
    """Activate a configuration for the ``with`` block only, then restore the previous state
    exactly — including "not loaded yet", so files and variables are read again later.

    Options merge over the active configuration (loaded from files when none is active yet,
    without activating it) like ``set_config``. The test fixtures use it.

    >>> with use_config(default_table_name="Scratch") as config:  # doctest: +SKIP
    ...     full_table_name()
    'Scratch'
    """
    global _current
    with _lock:
        previous = _current
    base = previous if previous is not None else validate_raw(load_raw_config())
    if isinstance(config, Config) and not overrides:
        active = config
    else:
        active = _merged(base, config, overrides)
    with _lock:
        _current = active
    try:
        yield active
    finally:
        with _lock:
            _current = previous


def reset_config() -> None:
    """Forget the active configuration; the next ``get_config()`` loads it afresh (for tests)."""
    global _current
    with _lock:
        _current = None


def validate_config(config: Config | Mapping[str, Any] | None = None, **options: Any) -> Config:
    """Validate options without activating them; raises :class:`ConfigError` listing every
    problem with its dotted path (``single_table_design.gsi_count: 25 is above ...``)."""
    if isinstance(config, Config):
        raw: dict[str, Any] = config.model_dump()
    else:
        raw = dict(config or {})
    return validate_raw(deep_merge(normalize_keys(raw), normalize_keys(options)))


def load_config(
    path: str | Path | None = None,
    env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Load and validate configuration from a file and environment without activating it."""
    return validate_raw(load_raw_config(Path(path) if path else None, env, environ))


def full_table_name(name: str | None = None, config: Config | None = None) -> str:
    """The table name with the configured prefix and suffix (``dev_MainTable_v2``)."""
    config = config or get_config()
    base = name or config.default_table_name
    return f"{config.table_name_prefix}{base}{config.table_name_suffix}"


def default_gsis(config: Config | None = None) -> list[GlobalSecondaryIndex]:
    """The overloaded GSIs (``GSI1`` … ``GSI{gsi_count}``) with their key schema."""
    config = config or get_config()
    std = config.single_table_design
    indexes: list[GlobalSecondaryIndex] = []
    for n in range(1, std.gsi_count + 1):
        index: GlobalSecondaryIndex = {
            "IndexName": std.gsi_name(n),
            "KeySchema": [
                {"AttributeName": std.gsi_pk(n), "KeyType": "HASH"},
                {"AttributeName": std.gsi_sk(n), "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        if config.capacity.billing_mode == "PROVISIONED":
            index["ProvisionedThroughput"] = {
                "ReadCapacityUnits": config.capacity.read or 1,
                "WriteCapacityUnits": config.capacity.write or 1,
            }
        indexes.append(index)
    return indexes


def get_endpoint(config: Config | None = None) -> str | None:
    """The endpoint URL requests go to, or ``None`` for AWS's regional endpoint.

    The embedded engine's endpoint is only known once it runs; see ``drivers.resolve_endpoint``.
    """
    config = config or get_config()
    if config.endpoint:
        return config.endpoint
    if config.engine == "local":
        host = "[::1]" if config.local.host == "::1" else config.local.host
        return f"http://{host}:{config.local.port}"
    if config.engine == "auto":
        return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL")
    return None


def is_local_mode(config: Config | None = None) -> bool:
    """True when requests go to a local engine (embedded, ``dbtooling start``, or loopback)."""
    config = config or get_config()
    if config.engine in ("embedded", "local"):
        return True
    endpoint = get_endpoint(config)
    return endpoint is not None and is_loopback_endpoint(endpoint)


def is_loopback_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint``'s host is this machine: 127.0.0.0/8, ``localhost`` or ``::1``
    (``http://127.0.0.1.example.com`` is not)."""
    try:
        host = urllib.parse.urlsplit(endpoint).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = [
    "AutoScalingConfig",
    "CachingConfig",
    "CapacityConfig",
    "Config",
    "ContributorInsightsConfig",
    "CredentialsConfig",
    "Engine",
    "HookEvent",
    "HooksConfig",
    "HttpOptions",
    "IndexDefinition",
    "LocalConfig",
    "LocalIndexDefinition",
    "MultiTenancyConfig",
    "QueryBuilderConfig",
    "ScalingTarget",
    "SingleTableDesignConfig",
    "SoftDeletesConfig",
    "SseConfig",
    "StreamsConfig",
    "TtlConfig",
    "check_table_name",
    "deep_merge",
    "default_gsis",
    "environment_names",
    "find_config_file",
    "full_table_name",
    "get_config",
    "get_endpoint",
    "is_local_mode",
    "is_loopback_endpoint",
    "load_config",
    "normalize_keys",
    "read_config_file",
    "reset_config",
    "set_config",
    "use_config",
    "validate_config",
]
