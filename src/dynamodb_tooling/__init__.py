"""dynamodb-tooling: an Eloquent-style ORM and query builder for DynamoDB single-table design.

>>> from dynamodb_tooling import Model, attribute, BelongsTo, HasMany
>>> class Team(Model):
...     name: str
>>> class User(Model, timestamps=True):
...     email: str = attribute(unique=True)
...     team = BelongsTo(Team)
"""

from dynamodb_tooling import marshal
from dynamodb_tooling.config import get_config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import (
    DynamoDBClient,
    RecordedRequests,
    get_driver,
    record_requests,
    register_driver,
)
from dynamodb_tooling.drivers.client import get_client as _get_client
from dynamodb_tooling.factories import Factory, factory_for
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    HasOne,
    Model,
    ModelQuery,
    atransaction,
    attribute,
    define_model,
    get_model,
    hook,
    load_models,
    scope,
    transaction,
    without_events,
)
from dynamodb_tooling.orm.concerns.factories import install_factory_resolver as _install_factories
from dynamodb_tooling.query.executor import install_default_executor as _install_executor
from dynamodb_tooling.query.rules.patterns import PatternPlanner as _PatternPlanner
from dynamodb_tooling.schema import Registry, get_registry
from dynamodb_tooling.schema.access_patterns import install_pattern_planner as _install_planner

# The composition root: queries run on the configured client unless given another executor,
# access patterns are planned by the query planner, and Model.factory() finds factories
# (the lower layers import none of them).
_install_executor(_get_client)
_install_planner(_PatternPlanner)
_install_factories(factory_for)

__version__ = "0.1.0"

__all__ = [
    "BelongsTo",
    "BelongsToMany",
    "DynamoDBClient",
    "Factory",
    "HasMany",
    "HasOne",
    "Model",
    "ModelQuery",
    "RecordedRequests",
    "Registry",
    "__version__",
    "atransaction",
    "attribute",
    "define_model",
    "get_config",
    "get_driver",
    "get_model",
    "get_registry",
    "hook",
    "load_models",
    "marshal",
    "record_requests",
    "register_driver",
    "reset_config",
    "scope",
    "set_config",
    "transaction",
    "validate_config",
    "without_events",
]
