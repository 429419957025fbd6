"""How ``dbtooling demo`` prints: the design, then each step's results, as rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from dynamodb_tooling.cli.commands._demo_target import DemoTarget
from dynamodb_tooling.cli.commands._demo_tour import DemoReport
from dynamodb_tooling.migrations import MigrationResult
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.table import path_label, placeholder, sample_values

__all__ = ["DemoConsole"]


def _ms(value: float) -> str:
    return f"{value:,.1f}"


class DemoConsole:
    """Prints the demo's sections (``console`` is the rich console to print on)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def step(self, number: int, title: str) -> None:
        self.console.print()
        self.console.rule(f"[bold]{number}. {title}")

    def intro(self, target: DemoTarget, models: int) -> None:
        where = (
            "Your configured endpoint and table are not used (--use-config runs there)."
            if target.embedded
            else "A table of its own on your configured engine."
        )
        self.console.print(
            Panel(
                f"The blog example app ([cyan]dynamodb_tooling.examples.blog[/]): {models} models"
                f" in one table.\nEngine: {escape(target.engine)}\nTable: {escape(target.table)}"
                f"\n{where}",
                title="dynamodb-tooling demo",
                expand=False,
            )
        )

    # 1. The design.
    def design(self, registry: Registry) -> None:
        self.console.print(self._key_table(registry))
        self.console.print(self._index_table(registry))

    def _key_table(self, registry: Registry) -> Table:
        keys, design = registry.keys, registry.config.single_table_design
        slots = range(1, design.gsi_count + 1)
        grid = Table(title="Where every item lives (keys derived from the models)")
        # Keys wrap rather than end in "…": on an 80-column terminal they are the point.
        grid.add_column("item")
        grid.add_column(design.partition_key_name, overflow="fold")
        grid.add_column(design.sort_key_name, overflow="fold")
        for n in slots:
            title = f"{design.gsi_name(n)} ({design.gsi_pk(n)} / {design.gsi_sk(n)})"
            grid.add_column(title, overflow="fold")
        pk, sk = design.partition_key_name, design.sort_key_name

        def row(label: str, item: dict[str, str]) -> None:
            gsis = [
                f"{item[design.gsi_pk(n)]} / {item[design.gsi_sk(n)]}"
                if design.gsi_pk(n) in item
                else ""
                for n in slots
            ]
            grid.add_row(label, item[pk], item[sk], *gsis)

        for entity in registry.schema.entities:
            row(entity.name, keys.item_keys(entity.name, sample_values(entity, keys.delimiter)))
            for unique in entity.model.unique_attributes:
                sample = placeholder(unique.name, keys.delimiter)
                sentinel = keys.sentinel_key(entity.name, unique.name, sample)
                row(f"  unique {entity.name}.{unique.name}", sentinel)
        for pivot in registry.schema.pivots:
            owner = placeholder(pivot.owner_key, keys.delimiter)
            other = placeholder(pivot.other_key, keys.delimiter)
            row(f"{pivot.name} (edge)", keys.edge_keys(pivot, owner, other))
        return grid

    def _index_table(self, registry: Registry) -> Table:
        design = registry.config.single_table_design
        served: dict[int, list[str]] = {n: [] for n in range(1, design.gsi_count + 1)}
        for entity in registry.schema.entities:
            for path in entity.gsi_paths:
                served[path.slot].append(path_label(path))
        for pivot in registry.schema.pivots:
            served[pivot.slot].append(f"{pivot.name} edges, from the {pivot.other_key} side")
        grid = Table(title="Overloaded GSIs: one index, many access paths")
        grid.add_column("index")
        grid.add_column("serves")
        for n, paths in served.items():
            grid.add_row(design.gsi_name(n), ", ".join(paths) or "(unused)")
        return grid

    # 2. Migrate.
    def migration(self, result: MigrationResult) -> None:
        for change in result.plan.changes:
            self.console.print(f"plan: {escape(change.summary)}")
        for step in result.steps:
            self.console.print(
                f"[green]{step.status}[/] {escape(step.action.summary)} "
                f"({_ms(step.duration_s * 1000)} ms)"
            )

    # 3. Seed.
    def seeded(self, report: DemoReport) -> None:
        grid = Table(title="Seeders (factories; batched, concurrent writes)")
        for column in ("seeder", "wrote", "requests", "ms"):
            grid.add_column(column, justify="right" if column in ("requests", "ms") else "left")
        for result in report.seeded:
            wrote = ", ".join(f"{n} {entity}" for entity, n in sorted(result.written.items()))
            grid.add_row(result.name, wrote, str(result.requests), _ms(result.seconds * 1000))
        self.console.print(grid)
        self.console.print(
            f"{report.items} items in {report.seed_requests} requests, "
            f"{_ms(report.seed_ms)} ms (unique emails: one transaction each, with the sentinel)"
        )

    # 4. Access patterns.
    def patterns(self, report: DemoReport) -> None:
        grid = Table(title=f"Every access pattern of the registry ({len(report.patterns)}), run")
        grid.add_column("pattern · its example, run as printed", overflow="fold")
        for column in ("request", "index", "sent", "items", "ms"):
            grid.add_column(column, justify="right" if column in ("items", "ms") else "left")
        for run in report.patterns:
            sent = str(len(run.sent))
            if run.sent != run.planned:
                sent += f" ({', '.join(run.sent)})"
            grid.add_row(
                f"{run.name}\n  [cyan]{escape(run.example)}[/]",
                " → ".join(run.planned),
                run.index or "table",
                sent,
                str(run.items),
                _ms(run.ms),
                style="yellow" if run.planned[0] == "Scan" else None,
            )
        self.console.print(grid)
        scans = sum(1 for run in report.patterns if run.planned[0] == "Scan")
        self.console.print(
            f"{len(report.patterns) - scans} patterns are served by a key (GetItem or Query); "
            f"the {scans} 'List all' ones are Scans, asked for explicitly with force_scan()."
        )

    # 5. Eager loading.
    def loading(self, report: DemoReport) -> None:
        grid = Table(title="Lazy (N+1) vs eager loading")
        grid.add_column("read · its code", overflow="fold")
        for column in ("requests", "round trips", "models", "ms"):
            grid.add_column(column, justify="right")
        for run in report.loading:
            grid.add_row(
                f"{run.label}\n  [cyan]{escape(run.code)}[/]",
                str(run.requests),
                str(run.rounds),
                str(run.items),
                _ms(run.ms),
            )
        self.console.print(grid)
        self.console.print(
            "with_() loads each relation with one batch (BatchGetItem) or one concurrent "
            "round of Queries; a collection comes back with its parent in the same Query."
        )

    # 6. explain().
    def explains(self, report: DemoReport) -> None:
        for run in report.explains:
            scan = run.explanation.is_scan
            verdict = "[yellow]a Scan" if scan else f"[green]{run.explanation.operation}"
            title = f"{run.label}: {verdict}"
            self.console.print(
                Panel(
                    f"[cyan]{escape(run.code)}.explain()[/]\n{escape(str(run.explanation))}",
                    title=title,
                    title_align="left",
                    border_style="yellow" if scan else "green",
                )
            )

    # Summary.
    def summary(self, report: DemoReport, target: DemoTarget, kept: bool) -> None:
        patterns = len(report.patterns)
        lines = [
            f"models: {report.models} · items written: {report.items} · "
            f"access patterns run: {patterns}",
            f"requests: {report.requests} · time: {report.seconds:.1f} s",
            f"table {target.table}: {'kept' if kept else 'deleted'}",
        ]
        if target.embedded:
            lines.append("engine: stopped")
        self.console.print(Panel("\n".join(lines), title="Summary", expand=False))
