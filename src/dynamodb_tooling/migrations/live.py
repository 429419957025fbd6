"""The live table: what DescribeTable and its siblings say the table is right now.

:func:`read_live_table` is a sans-IO flow: DescribeTable (a missing table is
``LiveTable(None)``), then TTL, point-in-time recovery, the tags and (when the configuration
asks for it) Contributor Insights, read side by side; :func:`read_live_scaling` adds the
Application Auto Scaling targets and policies when the configuration manages them. An engine
that does not implement Contributor Insights (moto) leaves it unknown, with the reason,
instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.migrations.autoscaling import LiveScaling, read_scaling, resources
from dynamodb_tooling.requests import Concurrently, Flow, Request
from dynamodb_tooling.requests import tables as t

_ACTIVE_TTL = ("ENABLED", "ENABLING")


@dataclass(frozen=True)
class LiveTable:
    """The table as the engine describes it (``description is None``: there is no table)."""

    description: Mapping[str, Any] | None
    ttl: str | None = None
    pitr: bool | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    contributor_insights: bool | None = None
    contributor_insights_error: str | None = None
    #: Application Auto Scaling of the table and its GSIs (``None``: not read).
    scaling: LiveScaling | None = None

    @property
    def exists(self) -> bool:
        return self.description is not None

    @property
    def arn(self) -> str | None:
        return None if self.description is None else self.description.get("TableArn")

    def _list(self, key: str) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = list((self.description or {}).get(key) or ())
        return found

    @property
    def gsis(self) -> dict[str, Mapping[str, Any]]:
        return {index["IndexName"]: index for index in self._list("GlobalSecondaryIndexes")}

    @property
    def lsis(self) -> dict[str, Mapping[str, Any]]:
        return {index["IndexName"]: index for index in self._list("LocalSecondaryIndexes")}

    @property
    def attribute_types(self) -> dict[str, str]:
        return {a["AttributeName"]: a["AttributeType"] for a in self._list("AttributeDefinitions")}

    @property
    def billing_mode(self) -> str:
        summary = (self.description or {}).get("BillingModeSummary") or {}
        return str(summary.get("BillingMode") or "PROVISIONED")

    @property
    def throughput(self) -> tuple[int, int]:
        found = (self.description or {}).get("ProvisionedThroughput") or {}
        return int(found.get("ReadCapacityUnits", 0)), int(found.get("WriteCapacityUnits", 0))

    @property
    def stream(self) -> str | None:
        """The stream's view type, or ``None`` when the table has no stream."""
        spec = (self.description or {}).get("StreamSpecification") or {}
        return str(spec["StreamViewType"]) if spec.get("StreamEnabled") else None

    @property
    def table_class(self) -> str | None:
        """The table class, or ``None`` when the engine does not report it."""
        summary = (self.description or {}).get("TableClassSummary") or {}
        found = summary.get("TableClass")
        return None if found is None else str(found)

    @property
    def deletion_protection(self) -> bool:
        return bool((self.description or {}).get("DeletionProtectionEnabled", False))


def read_live_table(table: str, *, contributor_insights: bool = False) -> Flow[LiveTable]:
    """Describe ``table`` and its TTL, backups and tags (and Contributor Insights if asked)."""
    try:
        response: Response = yield t.describe_table(table)
    except ResourceNotFoundError:
        return (yield from _missing_table(table, contributor_insights))
    description: dict[str, Any] = response["Table"]
    reads: list[Request] = [t.describe_time_to_live(table), t.describe_continuous_backups(table)]
    if contributor_insights:
        reads.append(t.describe_contributor_insights(table))
    answers: list[Any] = yield Concurrently.of(reads, return_exceptions=True)
    for answer in answers[:2]:
        if isinstance(answer, Exception):
            raise answer
    tags = yield from _all_tags(description["TableArn"])
    insights, insights_error = _insights(answers[2] if contributor_insights else None)
    return LiveTable(
        description,
        ttl=_ttl(answers[0]),
        pitr=_pitr(answers[1]),
        tags=tags,
        contributor_insights=insights,
        contributor_insights_error=insights_error,
    )


def read_contributor_insights(live: LiveTable, table: str) -> Flow[LiveTable]:
    """``live`` with its Contributor Insights status read (or the reason it is unknown)."""
    try:
        answer: Response | Exception = yield t.describe_contributor_insights(table)
    except Exception as exc:
        answer = exc
    insights, error = _insights(answer)
    return replace(live, contributor_insights=insights, contributor_insights_error=error)


def read_live_scaling(live: LiveTable, table: str, gsis: list[str]) -> Flow[LiveTable]:
    """``live`` with the auto scaling of ``table``, its live GSIs and ``gsis`` read."""
    ids = resources(table, [*live.gsis, *gsis])
    scaling = yield from read_scaling(ids)
    return replace(live, scaling=scaling)


def _missing_table(table: str, contributor_insights: bool) -> Flow[LiveTable]:
    """No table. If Contributor Insights is wanted, ask anyway: DynamoDB answers "not found",
    an engine without the operation (moto) answers otherwise, and the plan says so."""
    if not contributor_insights:
        return LiveTable(None)
    try:
        answer: Response | Exception = yield t.describe_contributor_insights(table)
    except ResourceNotFoundError:
        return LiveTable(None)
    except Exception as exc:
        answer = exc
    return LiveTable(None, contributor_insights_error=_insights(answer)[1])


def _all_tags(arn: str) -> Flow[dict[str, str]]:
    tags: dict[str, str] = {}
    token: str | None = None
    while True:
        response: Response = yield t.list_tags_of_resource(arn, next_token=token)
        tags.update({tag["Key"]: tag["Value"] for tag in response.get("Tags", ())})
        token = response.get("NextToken")
        if not token:
            return tags


def _ttl(response: Response) -> str | None:
    described = response.get("TimeToLiveDescription") or {}
    if described.get("TimeToLiveStatus") in _ACTIVE_TTL:
        return str(described.get("AttributeName"))
    return None


def _pitr(response: Response) -> bool:
    described = response.get("ContinuousBackupsDescription") or {}
    pitr = described.get("PointInTimeRecoveryDescription") or {}
    return pitr.get("PointInTimeRecoveryStatus") in ("ENABLED", "ENABLING")


def _insights(answer: Response | Exception | None) -> tuple[bool | None, str | None]:
    if answer is None:
        return None, None
    if isinstance(answer, Exception):
        first_line = (str(answer).splitlines() or [""])[0][:160]
        return None, f"DescribeContributorInsights failed ({type(answer).__name__}: {first_line})"
    return answer.get("ContributorInsightsStatus") in ("ENABLED", "ENABLING"), None
