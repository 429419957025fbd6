"""Drivers: the only layer that does IO. ``DynamoDBClient`` runs every operation on a driver."""

from dynamodb_tooling.drivers._endpoint import Connection, resolve_connection
from dynamodb_tooling.drivers.base import BaseDriver, Driver, DriverCapabilities, HealthStatus
from dynamodb_tooling.drivers.botocore_driver import BotocoreDriver
from dynamodb_tooling.drivers.client import DynamoDBClient, get_client
from dynamodb_tooling.drivers.lean_driver import LeanDriver
from dynamodb_tooling.drivers.recording import RecordedRequest, RecordedRequests, record_requests
from dynamodb_tooling.drivers.registry import (
    ENTRY_POINT_GROUP,
    DriverFactory,
    available_drivers,
    get_driver,
    register_driver,
    unregister_driver,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "BaseDriver",
    "BotocoreDriver",
    "Connection",
    "Driver",
    "DriverCapabilities",
    "DriverFactory",
    "DynamoDBClient",
    "HealthStatus",
    "LeanDriver",
    "RecordedRequest",
    "RecordedRequests",
    "available_drivers",
    "get_client",
    "get_driver",
    "record_requests",
    "register_driver",
    "resolve_connection",
    "unregister_driver",
]
