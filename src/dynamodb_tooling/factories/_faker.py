"""The Faker every factory shares, and reproducible seeding (``Factory.seed(1234)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["seed_faker", "shared_faker"]

_shared: list[Faker] = []


def shared_faker() -> Faker:
    """The process-wide Faker (made on first use)."""
    if not _shared:
        # Imported here, not at module level: Faker takes ~0.2 s to import, and importing
        # dynamodb_tooling must not pay for it when no factory is used.
        from faker import Faker

        _shared.append(Faker())
    return _shared[0]


def seed_faker(value: int) -> None:
    """Seed the shared Faker: the same seed gives the same fake values, run after run."""
    faker = shared_faker()
    faker.seed_instance(value)
    faker.unique.clear()  # values handed out before the seed must not be skipped after it
