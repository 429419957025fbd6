"""The typed configuration model.

Every option of the seed's configuration section, in snake_case. camelCase spellings
(``singleTableDesign.gsiCount``) are accepted too, for users coming from the TypeScript tools.
Instances are frozen: change configuration with ``set_config`` rather than by mutation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from dynamodb_tooling._types import (
    BillingMode,
    ProjectionType,
    ReturnConsumedCapacity,
    ReturnItemCollectionMetrics,
    StreamViewType,
    TableClass,
)

MAX_GSI_PER_TABLE = 20
MAX_LSI_PER_TABLE = 5


class Section(BaseModel):
    """Base of every configuration section: frozen, no unknown keys, camelCase accepted."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        loc_by_alias=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )


class CredentialsConfig(Section):
    """Static credentials; leave unset to use botocore's credential chain."""

    access_key_id: str
    """AWS access key id (static credentials)."""
    secret_access_key: str
    """AWS secret access key that goes with access_key_id."""
    session_token: str | None = None
    """Session token of temporary credentials (STS); unset for long-term keys."""


class HttpOptions(Section):
    """HTTP transport settings handed to botocore."""

    timeout: float = Field(default=30.0, gt=0, description="read timeout in seconds")
    connect_timeout: float = Field(default=5.0, gt=0)
    """Seconds to wait for a connection to be established."""
    keep_alive: bool = Field(default=True, description="TCP keep-alive on pooled connections")
    max_pool_connections: int = Field(default=50, ge=1, le=1000)
    """Most pooled connections per client (also bounds concurrent requests)."""


class SingleTableDesignConfig(Section):
    """Names and shapes of the single table's keys and indexes."""

    enabled: bool = True
    """The single-table design; only true is built (false is refused until multi-table layouts
    exist)."""
    partition_key_name: str = "pk"
    """The table's partition key attribute."""
    sort_key_name: str = "sk"
    """The table's sort key attribute."""
    gsi_count: int = 2
    """How many overloaded GSIs the table has (1 to 20); too few for the models' access paths is an
    error naming the fix."""
    gsi_name_pattern: str = "GSI{n}"
    """Name of the overloaded GSI number {n}."""
    gsi_pk_pattern: str = "gsi{n}pk"
    """Partition key attribute of GSI {n}."""
    gsi_sk_pattern: str = "gsi{n}sk"
    """Sort key attribute of GSI {n}."""
    lsi_name_pattern: str = "LSI{n}"
    """Name of LSI number {n} (collections sorted by another attribute)."""
    lsi_sk_pattern: str = "lsi{n}sk"
    """Sort key attribute of LSI {n}."""
    entity_type_attribute: str = "_et"
    """Attribute holding each item's entity type (the model name); scopes every query."""
    data_attribute: str = "_d"
    """Attribute name reserved for the library's data; models may not use it."""
    pk_prefix: str = "{ENTITY}#"
    """Partition key prefix of an entity; {ENTITY} is the model's pk_prefix or its upper-cased
    name."""
    sk_prefix: str = "{ENTITY}#"
    """Sort key prefix of an entity; {ENTITY} as in pk_prefix."""
    key_delimiter: str = "#"
    """Separator between the parts of a key (punctuation only); ids and foreign keys may not
    contain it."""

    @field_validator("gsi_count")
    @classmethod
    def _gsi_count_in_range(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is below 1; single-table design needs at least one GSI")
        if value > MAX_GSI_PER_TABLE:
            raise ValueError(
                f"{value} is above the DynamoDB limit of {MAX_GSI_PER_TABLE} GSIs per table"
            )
        return value

    @field_validator("key_delimiter")
    @classmethod
    def _delimiter_is_punctuation(cls, value: str) -> str:
        # '_' and '-' appear in attribute names and UUIDs, so keys using them are ambiguous.
        if not value or any(ch.isalnum() or ch.isspace() or ch in "_-" for ch in value):
            raise ValueError(
                f"{value!r} must be one or more punctuation characters such as '#' or '|' "
                "(not letters, digits, spaces, '_' or '-')"
            )
        return value

    @field_validator("gsi_name_pattern", "gsi_pk_pattern", "gsi_sk_pattern", "lsi_sk_pattern")
    @classmethod
    def _pattern_has_number(cls, value: str) -> str:
        if "{n}" not in value:
            raise ValueError(f"{value!r} must contain '{{n}}' (the index number)")
        return value

    @field_validator("pk_prefix", "sk_prefix")
    @classmethod
    def _prefix_has_entity(cls, value: str) -> str:
        if "{ENTITY}" not in value:
            raise ValueError(f"{value!r} must contain '{{ENTITY}}' (the entity prefix)")
        return value

    @field_validator(
        "partition_key_name", "sort_key_name", "entity_type_attribute", "data_attribute"
    )
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    def gsi_name(self, n: int) -> str:
        return self.gsi_name_pattern.format(n=n)

    def gsi_pk(self, n: int) -> str:
        return self.gsi_pk_pattern.format(n=n)

    def gsi_sk(self, n: int) -> str:
        return self.gsi_sk_pattern.format(n=n)

    def lsi_name(self, n: int) -> str:
        return self.lsi_name_pattern.format(n=n)

    def lsi_sk(self, n: int) -> str:
        return self.lsi_sk_pattern.format(n=n)


class SoftDeletesConfig(Section):
    """Soft deletes: ``enabled`` is the default of every model that does not say (a Python
    model's ``soft_deletes=`` keyword, a Stacks model's ``useSoftDeletes`` trait), read when the
    model is defined; ``attribute`` the timestamp a soft delete sets."""

    enabled: bool = False
    """Soft deletes for models that do not say (soft_deletes= / useSoftDeletes), read when a model
    is defined."""
    attribute: str = "deleted_at"
    """Timestamp attribute a soft delete sets."""


class CachingConfig(Section):
    """Query-result cache (LRU with TTL)."""

    enabled: bool = False
    """A query-result cache; not supported yet (setting it is refused)."""
    ttl_ms: int = Field(default=60_000, ge=0)
    """How long a cached result lives, in milliseconds (not supported yet)."""
    max_size: int = Field(default=1_000, ge=1)
    """Most cached results (not supported yet)."""
    key_prefix: str = "dbtooling:"
    """Prefix of cache keys (not supported yet)."""


HookEvent = Literal[
    "creating",
    "created",
    "updating",
    "updated",
    "saving",
    "saved",
    "deleting",
    "deleted",
    "restoring",
    "restored",
    "force_deleting",
    "force_deleted",
    "retrieved",
    "replicating",
]


class HooksConfig(Section):
    """Lifecycle hooks as import paths (``"package.module:function"``), each called with the
    instance (see :mod:`dynamodb_tooling.orm.events`).

    ``global_`` hooks run for every model; ``models`` maps a model name to its own hooks (run
    before the global ones, after hooks declared in code).
    """

    global_: dict[HookEvent, list[str]] = Field(default_factory=dict, alias="global")
    """Hooks run for every model: event name → import paths ('package.module:function')."""
    models: dict[str, dict[HookEvent, list[str]]] = Field(default_factory=dict)
    """Hooks of one model: model name → event name → import paths, run before the global ones."""

    @field_validator("global_", "models")
    @classmethod
    def _import_paths(cls, value: dict[str, object]) -> dict[str, object]:
        for item in _iter_hook_paths(value):
            if ":" not in item or item.startswith(":") or item.endswith(":"):
                raise ValueError(f"{item!r} is not an import path like 'app.hooks:on_created'")
        return value


def _iter_hook_paths(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [p for v in value.values() for p in _iter_hook_paths(v)]
    if isinstance(value, list):
        return [p for v in value for p in _iter_hook_paths(v)]
    return []


class QueryBuilderConfig(Section):
    """Where models, factories and seeders live, and how models store their data."""

    models_path: str = "app/models"
    """Folder the models are discovered in (load_models, dbtooling commands, the test plugin)."""
    factories_path: str = Field(
        default="database/factories",
        description="folder of factory modules (Factory subclasses register themselves)",
    )
    seeders_path: str = Field(
        default="database/seeders",
        description="folder of seeder modules that `dbtooling seed` discovers",
    )
    entity_mapping_strategy: Literal["prefix", "attribute", "composite"] = "prefix"
    """How items map to entity types; only 'prefix' (key prefixes plus the entity-type attribute)
    is built, the other values are refused."""
    timestamp_format: Literal["iso", "unix", "unix_ms"] = "iso"
    """How timestamps are stored: ISO-8601 UTC strings, unix seconds or unix milliseconds."""
    soft_deletes: SoftDeletesConfig = SoftDeletesConfig()
    hooks: HooksConfig = HooksConfig()
    caching: CachingConfig = CachingConfig()
    created_at_attribute: str = "created_at"
    """Attribute set when a model with timestamps=True is created."""
    updated_at_attribute: str = "updated_at"
    """Attribute set whenever a model with timestamps=True is saved."""
    version_attribute: str = "_v"
    """Optimistic-locking version attribute (a lost update raises VersionConflictError)."""
    naive_datetimes: Literal["utc", "refuse"] = Field(
        default="utc",
        description=(
            "a datetime without a timezone written to a datetime attribute or timestamp: "
            "'utc' takes it to be UTC, 'refuse' raises AttributeCastError before any request"
        ),
    )
    aggregate_warning_threshold: int = Field(
        default=10_000, ge=1, description="client-side aggregates above this many items warn"
    )
    cursor_secret: str | None = Field(
        default=None,
        description="key that signs pagination cursors; unset: a random per-process key",
    )


class ScalingTarget(Section):
    """Auto-scaling bounds and target of one capacity side (read or write)."""

    min: int = Field(default=1, ge=1)
    """Fewest capacity units auto scaling sets."""
    max: int = Field(default=10, ge=1)
    """Most capacity units auto scaling sets."""
    target_utilization: float = Field(default=70.0, ge=20.0, le=90.0)
    """Consumed/provisioned percentage auto scaling aims at (20 to 90)."""


class AutoScalingConfig(Section):
    """Application Auto Scaling of provisioned capacity, for the table and its GSIs."""

    enabled: bool = False
    """Register the table and its GSIs with Application Auto Scaling (needs billing_mode
    PROVISIONED)."""
    read: ScalingTarget = ScalingTarget()
    write: ScalingTarget = ScalingTarget()
    scale_in_cooldown: int = Field(default=60, ge=0)
    """Seconds after a scale-in before another scaling activity."""
    scale_out_cooldown: int = Field(default=60, ge=0)
    """Seconds after a scale-out before another scaling activity."""


class CapacityConfig(Section):
    """Billing mode and provisioned capacity of the table."""

    billing_mode: BillingMode = "PAY_PER_REQUEST"
    """On-demand (PAY_PER_REQUEST) or provisioned capacity."""
    read: int | None = Field(default=None, ge=1)
    """Provisioned read capacity units (required with PROVISIONED, refused otherwise)."""
    write: int | None = Field(default=None, ge=1)
    """Provisioned write capacity units (required with PROVISIONED, refused otherwise)."""
    auto_scaling: AutoScalingConfig = AutoScalingConfig()


class StreamsConfig(Section):
    """DynamoDB Streams of the table."""

    enabled: bool = False
    """Turn on DynamoDB Streams for the table."""
    view_type: StreamViewType = "NEW_AND_OLD_IMAGES"
    """What each stream record holds."""


class TtlConfig(Section):
    """Time to live: items expire at the unix time in their TTL attribute."""

    enabled: bool = False
    """Turn on time to live: DynamoDB deletes items whose TTL attribute (unix seconds) is past."""
    attribute_name: str = "ttl"
    """The TTL attribute."""


class ContributorInsightsConfig(Section):
    """CloudWatch Contributor Insights (the most accessed and throttled keys)."""

    enabled: bool = False
    """Turn on CloudWatch Contributor Insights for the table."""


class SseConfig(Section):
    """Server-side encryption; ``kms_master_key_id`` switches from AWS-owned keys to KMS."""

    enabled: bool = False
    """Server-side encryption with a KMS key (otherwise AWS-owned keys)."""
    kms_master_key_id: str | None = None
    """The KMS key id, ARN or alias; unset: the AWS-managed key."""


class IndexDefinition(Section):
    """An extra, explicitly named global secondary index."""

    name: str
    """Index name (not one of the overloaded GSI names)."""
    partition_key: str
    """Partition key attribute."""
    sort_key: str | None = None
    """Sort key attribute; unset for a partition-key-only index."""
    partition_key_type: Literal["S", "N", "B"] = "S"
    """Type of the partition key: S (string), N (number) or B (binary)."""
    sort_key_type: Literal["S", "N", "B"] = "S"
    """Type of the sort key: S, N or B."""
    projection: ProjectionType = "ALL"
    """Attributes copied into the index."""
    non_key_attributes: list[str] = Field(default_factory=list)
    """Attributes projected with INCLUDE (only with that projection)."""
    read: int | None = Field(default=None, ge=1)
    """Provisioned read capacity of the index (PROVISIONED billing only)."""
    write: int | None = Field(default=None, ge=1)
    """Provisioned write capacity of the index (PROVISIONED billing only)."""


class LocalIndexDefinition(Section):
    """An extra, explicitly named local secondary index (created with the table only)."""

    name: str
    """Index name."""
    sort_key: str
    """The alternative sort key attribute."""
    sort_key_type: Literal["S", "N", "B"] = "S"
    """Type of the sort key: S, N or B."""
    projection: ProjectionType = "ALL"
    """Attributes copied into the index."""
    non_key_attributes: list[str] = Field(default_factory=list)
    """Attributes projected with INCLUDE (only with that projection)."""


class MultiTenancyConfig(Section):
    """Tenant isolation: not supported yet; setting any of these is refused."""

    enabled: bool = False
    """Tenant isolation; not supported yet (setting it is refused)."""
    strategy: Literal["table", "prefix", "attribute"] = "prefix"
    """How tenants are separated (not supported yet)."""
    tenant_id_attribute: str = "tenant_id"
    """Attribute holding the tenant id (not supported yet)."""
    tenant_resolver: str | None = Field(
        default=None, description="import path of a zero-argument callable returning the tenant"
    )


class LocalConfig(Section):
    """The local engine run by ``dbtooling start`` (and used when ``engine = "local"``)."""

    engine: Literal["moto", "dynamodb-local"] = "moto"
    """The server dbtooling start runs: moto, or AWS's DynamoDB Local."""
    host: str = "127.0.0.1"
    """Address the local engine binds (loopback only)."""
    port: int = Field(default=8000, ge=1, le=65535)
    """Port of the local engine."""
    jar_path: str | None = None
    """Path to DynamoDBLocal.jar (required when engine is dynamodb-local)."""
    java_path: str = "java"
    """The Java executable that runs DynamoDB Local."""
    in_memory: bool = True
    """Keep DynamoDB Local's data in memory (false: on disk under db_path or state_dir)."""
    db_path: str | None = None
    """Folder for DynamoDB Local's data on disk (implies in_memory false)."""
    state_dir: str = ".dbtooling"
    """Folder where dbtooling start records the running server and its log."""

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if value not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(
                f"{value!r} is not a loopback address; the local engine only binds 127.0.0.1"
            )
        return value


Engine = Literal["auto", "aws", "embedded", "local"]


class Config(Section):
    """The whole configuration. Build it with ``validate_config`` or ``set_config``.

    ``engine`` picks where requests go: ``"aws"`` (or ``endpoint``), ``"local"`` (the server of
    ``dbtooling start``), ``"embedded"`` (an in-process engine on 127.0.0.1), or ``"auto"``:
    the endpoint if one is set, AWS when credentials are found, the embedded engine otherwise.
    """

    region: str = "us-east-1"
    """AWS region."""
    endpoint: str | None = None
    """Custom endpoint URL (DynamoDB Local, a dbtooling start server, ...);
    AWS_ENDPOINT_URL_DYNAMODB is used when unset and engine is auto."""
    engine: Engine = "auto"
    """Where requests go: aws, local (the dbtooling start server), embedded (an in-process engine),
    or auto (the endpoint if set, AWS when credentials are found, else embedded)."""
    environment: str | None = Field(
        default=None,
        description="the selected [env.NAME] table (set from --env / DBTOOLING_ENV when loading)",
    )
    production: bool = Field(
        default=False,
        description="a production configuration: destructive dbtooling commands need --force",
    )
    credentials: CredentialsConfig | None = None
    profile: str | None = None
    """AWS shared-config profile."""
    max_retries: int = Field(default=3, ge=0, le=20)
    """Retries of throttled, 5xx and lost requests."""
    retry_mode: Literal["legacy", "standard", "adaptive"] = "standard"
    """Standard and adaptive: exponential backoff with full jitter (adaptive adds client-side rate
    limiting); legacy: without jitter."""
    non_idempotent_writes: Literal["exactly_once", "at_most_once"] = "exactly_once"
    """Increments and appends: exactly_once (a transaction with a ClientRequestToken, safe to
    retry) or at_most_once (never retried after a lost answer)."""
    http_options: HttpOptions = HttpOptions()
    table_name_prefix: str = ""
    """Prepended to every table name."""
    table_name_suffix: str = ""
    """Appended to every table name."""
    default_table_name: str = "MainTable"
    """The single table's name (the full name is prefix + name + suffix)."""
    single_table_design: SingleTableDesignConfig = SingleTableDesignConfig()
    query_builder: QueryBuilderConfig = QueryBuilderConfig()
    capacity: CapacityConfig = CapacityConfig()
    streams: StreamsConfig = StreamsConfig()
    ttl: TtlConfig = TtlConfig()
    table_class: TableClass = "STANDARD"
    """The table class."""
    deletion_protection: bool = False
    """Protect the table against DeleteTable."""
    contributor_insights: ContributorInsightsConfig = ContributorInsightsConfig()
    point_in_time_recovery: bool = False
    """Turn on point-in-time recovery (continuous backups)."""
    sse: SseConfig = SseConfig()
    tags: dict[str, str] = Field(default_factory=dict)
    """Resource tags of the table (at most 50, no 'aws:' prefix)."""
    return_consumed_capacity: ReturnConsumedCapacity = "NONE"
    """ReturnConsumedCapacity added to every request that takes it (a value the request sets wins).
"""
    return_item_collection_metrics: ReturnItemCollectionMetrics = "NONE"
    """ReturnItemCollectionMetrics added to every write that takes it."""
    consistent_read: bool = False
    """Strongly consistent table reads by default (GSIs cannot be read consistently)."""
    global_secondary_indexes: list[IndexDefinition] = Field(default_factory=list)
    """Extra named GSIs beyond the overloaded ones."""
    local_secondary_indexes: list[LocalIndexDefinition] = Field(default_factory=list)
    """Extra named LSIs (created with the table only)."""
    multi_tenancy: MultiTenancyConfig = MultiTenancyConfig()
    local: LocalConfig = LocalConfig()
    allow_scan: bool = True
    """False: a query that can only Scan raises ScanNotAllowedError instead of warning."""
    driver: str = "botocore"
    """The driver requests go through: botocore, lean, or one registered by name."""
    drivers: dict[str, str] = Field(
        default_factory=dict, description="driver name → 'module:factory' to register at load"
    )

    @field_validator("default_table_name")
    @classmethod
    def _table_name_valid(cls, value: str) -> str:
        check_table_name(value)
        return value

    @property
    def is_production(self) -> bool:
        """``production = true``, or an environment named ``production`` / ``prod``: the
        dbtooling commands that destroy data refuse it unless given ``--force``."""
        return self.production or (self.environment or "").lower() in ("production", "prod")

    def problems(self) -> list[tuple[str, str]]:
        """Cross-field problems that single fields cannot see (empty when valid)."""
        found: list[tuple[str, str]] = []
        found += _capacity_problems(self.capacity, self.global_secondary_indexes)
        found += _index_problems(self)
        found += _tag_problems(self.tags)
        full = f"{self.table_name_prefix}{self.default_table_name}{self.table_name_suffix}"
        try:
            check_table_name(full)
        except ValueError as exc:
            found.append(("table_name_prefix", f"the full table name {full!r}: {exc}"))
        for name, path in self.drivers.items():
            if ":" not in path:
                found.append((f"drivers.{name}", f"{path!r} is not 'module:factory'"))
        found += _unsupported_problems(self)
        if self.local.engine == "dynamodb-local" and not self.local.jar_path:
            found.append(
                (
                    "local.jar_path",
                    "required when local.engine is 'dynamodb-local' (path to DynamoDBLocal.jar)",
                )
            )
        return found


#: Options that parse (so a typo is still reported precisely) but are not built yet: setting
#: one is refused rather than silently ignored. Path → (what is planned, what to do today).
_NOT_SUPPORTED_YET = {
    "query_builder.caching": ("a query-result cache", "cache results in your own code"),
    "multi_tenancy": (
        "tenant isolation by key prefix, attribute or table",
        "put the tenant id in your keys, or use a table per tenant (table_name_prefix)",
    ),
    "single_table_design.enabled": (
        "layouts other than the single-table design",
        "keep the single-table design (enabled = true, the default)",
    ),
    "query_builder.entity_mapping_strategy": (
        "the 'attribute' and 'composite' entity mappings",
        "use 'prefix' (the default: key prefixes plus the entity-type attribute)",
    ),
}


def _changed_fields(section: Section, path: str) -> list[str]:
    """Dotted paths of the fields of ``section`` that differ from their defaults."""
    default = type(section)()
    names = type(section).model_fields
    return [f"{path}.{n}" for n in names if getattr(section, n) != getattr(default, n)]


def _unsupported_problems(config: Config) -> list[tuple[str, str]]:
    query = config.query_builder
    used = {
        "query_builder.caching": _changed_fields(query.caching, "query_builder.caching"),
        "multi_tenancy": _changed_fields(config.multi_tenancy, "multi_tenancy"),
        "single_table_design.enabled": (
            [] if config.single_table_design.enabled else ["single_table_design.enabled"]
        ),
        "query_builder.entity_mapping_strategy": (
            []
            if query.entity_mapping_strategy == "prefix"
            else ["query_builder.entity_mapping_strategy"]
        ),
    }
    found: list[tuple[str, str]] = []
    for option, (planned, instead) in _NOT_SUPPORTED_YET.items():
        for path in used[option]:
            message = f"not supported yet (planned: {planned}); remove it. Until then: {instead}"
            found.append((path, message))
    return found


def check_table_name(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` can name a DynamoDB table (3 to 255 letters,
    digits, ``_``, ``-`` or ``.``)."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
    if not 3 <= len(name) <= 255:
        raise ValueError(f"{name!r} must be 3 to 255 characters long")
    bad = sorted({ch for ch in name if ch not in allowed})
    if bad:
        raise ValueError(f"{name!r} may only use letters, digits, '_', '-' and '.' (found {bad})")


def _capacity_problems(
    capacity: CapacityConfig, indexes: list[IndexDefinition]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    provisioned = capacity.billing_mode == "PROVISIONED"
    if not provisioned:
        for field in ("read", "write"):
            if getattr(capacity, field) is not None:
                found.append(
                    (
                        f"capacity.{field}",
                        "provisioned capacity is only allowed when capacity.billing_mode is "
                        "'PROVISIONED' (it is 'PAY_PER_REQUEST'); remove it or switch billing mode",
                    )
                )
        if capacity.auto_scaling.enabled:
            found.append(
                (
                    "capacity.auto_scaling.enabled",
                    "auto scaling needs capacity.billing_mode 'PROVISIONED'",
                )
            )
        for i, index in enumerate(indexes):
            if index.read is not None or index.write is not None:
                found.append(
                    (
                        f"global_secondary_indexes.{i}",
                        f"index {index.name!r} sets read/write capacity but billing mode is "
                        "'PAY_PER_REQUEST'",
                    )
                )
    else:
        for field in ("read", "write"):
            if getattr(capacity, field) is None:
                found.append(
                    (
                        f"capacity.{field}",
                        "required when capacity.billing_mode is 'PROVISIONED' "
                        "(capacity units, ≥ 1)",
                    )
                )
    for side in ("read", "write"):
        target: ScalingTarget = getattr(capacity.auto_scaling, side)
        if target.min > target.max:
            found.append(
                (
                    f"capacity.auto_scaling.{side}",
                    f"min ({target.min}) is above max ({target.max})",
                )
            )
    return found


def _index_problems(config: Config) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    std = config.single_table_design
    total = std.gsi_count + len(config.global_secondary_indexes)
    if total > MAX_GSI_PER_TABLE:
        found.append(
            (
                "global_secondary_indexes",
                f"{std.gsi_count} overloaded + {len(config.global_secondary_indexes)} extra GSIs "
                f"= {total}, above the DynamoDB limit of {MAX_GSI_PER_TABLE}",
            )
        )
    if len(config.local_secondary_indexes) > MAX_LSI_PER_TABLE:
        found.append(
            (
                "local_secondary_indexes",
                f"{len(config.local_secondary_indexes)} LSIs, above the DynamoDB limit of "
                f"{MAX_LSI_PER_TABLE}",
            )
        )
    reserved = {std.gsi_name(n) for n in range(1, std.gsi_count + 1)}
    seen: set[str] = set()
    named: list[IndexDefinition | LocalIndexDefinition] = [
        *config.global_secondary_indexes,
        *config.local_secondary_indexes,
    ]
    for index in named:
        if index.name in reserved:
            found.append(
                (
                    "global_secondary_indexes",
                    f"index name {index.name!r} is taken by the overloaded GSIs; choose another",
                )
            )
        if index.name in seen:
            found.append(("global_secondary_indexes", f"index name {index.name!r} is repeated"))
        seen.add(index.name)
    for i, index in enumerate(named):
        if index.projection != "INCLUDE" and index.non_key_attributes:
            found.append(
                (
                    f"{'local' if i >= len(config.global_secondary_indexes) else 'global'}"
                    f"_secondary_indexes.{index.name}",
                    "non_key_attributes needs projection 'INCLUDE'",
                )
            )
    return found


def _tag_problems(tags: dict[str, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if len(tags) > 50:
        found.append(("tags", f"{len(tags)} tags, above the DynamoDB limit of 50"))
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            found.append((f"tags.{key}", "tag keys must be 1 to 128 characters"))
        if len(value) > 256:
            found.append((f"tags.{key}", "tag values must be at most 256 characters"))
        if key.startswith("aws:"):
            found.append((f"tags.{key}", "the 'aws:' prefix is reserved by AWS"))
    return found
