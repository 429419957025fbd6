"""DESIGN §1: the same model as a class and as a Stacks dict gives the same registry and items."""

from dynamodb_tooling import BelongsTo, BelongsToMany, HasMany, Model, attribute, define_model
from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import Registry


def test_design_example_class_and_dict_are_identical() -> None:
    as_class, as_dict = Registry(validate_config()), Registry(validate_config())
    for registry in (as_class, as_dict):

        class Team(Model, registry=registry):
            name: str

        class Post(Model, registry=registry):
            title: str

        class Role(Model, registry=registry):
            name: str

    class User(Model, registry=as_class, timestamps=True, soft_deletes=True):
        email: str = attribute(unique=True)
        name: str
        age: int | None = None
        password: str | None = attribute(hidden=True)
        team = BelongsTo("Team")
        posts = HasMany("Post")
        roles = BelongsToMany("Role")

    DictUser = define_model(
        {
            "name": "User",
            "primaryKey": "id",
            "hasMany": ["Post"],
            "belongsTo": ["Team"],
            "belongsToMany": ["Role"],
            "attributes": {
                "email": {"unique": True, "validation": {"rule": "required|email"}},
                "name": {"fillable": True},
                "age": {"type": "integer", "nullable": True},
                "password": {"hidden": True, "nullable": True},
            },
            "traits": {"useTimestamps": True, "useSoftDeletes": True},
        },
        registry=as_dict,
    )
    assert as_class == as_dict
    assert as_class.table_definition("T") == as_dict.table_definition("T")
    values = {"id": "u1", "email": "ada@example.com", "name": "Ada", "team_id": "t1"}
    assert User(**values).to_item().keys() == DictUser(**values).to_item().keys()
    assert {k: v for k, v in User(**values).to_item().items() if "_at" not in k} == {
        k: v for k, v in DictUser(**values).to_item().items() if "_at" not in k
    }
    assert issubclass(DictUser, Model)
    assert DictUser.__name__ == "User"
