"""``dbtooling demo``'s run: the steps of :mod:`._demo_tour` on the target of
:mod:`._demo_target`, printed by :mod:`._demo_render` (or as JSON)."""

from __future__ import annotations

import time

from rich.console import Console

from dynamodb_tooling.cli.commands._common import print_json
from dynamodb_tooling.cli.commands._demo_render import DemoConsole
from dynamodb_tooling.cli.commands._demo_target import demo_target
from dynamodb_tooling.cli.commands._demo_tour import DemoReport, Tour
from dynamodb_tooling.drivers.recording import record_requests
from dynamodb_tooling.examples.blog import BLOG

__all__ = ["run_demo"]


def run_demo(*, use_config: bool, keep: bool, json: bool) -> DemoReport:
    """Run every step; returns the report (also printed, or printed as JSON)."""
    console = Console(quiet=json, highlight=False)
    show = DemoConsole(console)
    began = time.perf_counter()
    with demo_target(configured=use_config, keep=keep) as target, record_requests() as sent:
        report = DemoReport(engine=target.engine, table=target.table, models=len(BLOG.models))
        tour = Tour(report)
        show.intro(target, report.models)
        show.step(1, f"The single-table design derived from {report.models} models")
        show.design(BLOG)
        show.step(2, "Migrate: create the table the models need")
        show.migration(tour.migrate())
        show.step(3, "Seed with factories")
        tour.seed()
        show.seeded(report)
        show.step(4, "Every access pattern, with its requests")
        tour.patterns()
        show.patterns(report)
        show.step(5, "Eager loading: no N+1")
        tour.eager_loading()
        show.loading(report)
        show.step(6, "explain(): a good query and a bad one")
        tour.explain()
        show.explains(report)
        report.requests = sent.count
    report.seconds = time.perf_counter() - began
    if json:
        print_json(report.to_json())
        return report
    if keep and target.embedded:
        console.print("--keep: nothing kept, the embedded engine has stopped (use --use-config)")
    show.summary(report, target, kept=keep and not target.embedded)
    return report
