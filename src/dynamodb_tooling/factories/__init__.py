"""Model factories on Faker (Laravel's): fake models for tests and seeding.

>>> from dynamodb_tooling.factories import Factory
>>> class UserFactory(Factory[User]):  # doctest: +SKIP
...     def definition(self):
...         return {"name": self.faker.name(), "email": self.faker.unique.email()}
>>> User.factory().count(3).create()  # doctest: +SKIP

See :mod:`.factory` for the builder, :mod:`._persist` for how ``create()`` writes,
:mod:`.generated` for the values of a model without a factory, :mod:`.stacks` for Stacks
``factory`` functions, and ``docs/factories.md``.
"""

from dynamodb_tooling.factories.errors import FactoryError
from dynamodb_tooling.factories.factory import Factory, Sequence_
from dynamodb_tooling.factories.lookup import factory_for, generated_factory
from dynamodb_tooling.factories.registry import (
    load_factories,
    register_factory,
    registered_factory,
)

__all__ = [
    "Factory",
    "FactoryError",
    "Sequence_",
    "factory_for",
    "generated_factory",
    "load_factories",
    "register_factory",
    "registered_factory",
]
