"""Discovering models under a folder: Stacks .ts/.js files, JSON, YAML and Python modules."""

import sys
from pathlib import Path

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import ModelDefinition, RawCode, Registry, SchemaError, discovery
from dynamodb_tooling.schema import registry as registry_module
from dynamodb_tooling.schema.discovery import discover, load_definitions, model_files
from tests.schema import blog
from tests.schema.test_stacks import SAMPLES, registry_of

FIXTURES = Path(__file__).parent / "fixtures"
BLOG_TS = FIXTURES / "blog_ts"


def fresh() -> Registry:
    return Registry(validate_config())


def assert_is_the_blog(registry: Registry) -> None:
    """``registry`` holds the blog (factories aside) and keys every item like the blog does."""
    assert registry == registry_of(blog.BLOG)  # factories are kept but not compared
    canonical = registry_of(blog.BLOG)
    for name, values in SAMPLES.items():
        assert registry.keys.item_keys(name, values) == canonical.keys.item_keys(name, values)
    assert registry.table_definition() == canonical.table_definition()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# The blog as Stacks files.
def test_stacks_ts_files_give_the_blog() -> None:
    registry = fresh()
    loaded = load_definitions(BLOG_TS, registry=registry)
    assert [d.name for d in loaded] == sorted(d.name for d in blog.BLOG)
    assert loaded == list(registry.models)
    assert_is_the_blog(registry)


def test_code_values_in_ts_files_become_raw_code() -> None:
    registry = fresh()
    load_definitions(str(BLOG_TS), registry=registry)
    user = registry.model("User")
    assert user.factory is not None
    assert user.factory.text.startswith("(faker) => ({\n    email: faker.internet.email(),")
    assert "`secret-${faker.string.alphanumeric(8)}`" in user.factory.text
    email = user.attribute("email")
    assert email is not None
    assert email.validation == RawCode("schema.string().email()")
    age = user.attribute("age")
    assert age is not None
    assert (age.type, age.validation) == ("integer", RawCode("schema.number().withoutDecimals()"))
    post = registry.model("Post")
    assert post.factory is not None
    assert post.factory.text.startswith("function (faker) {")
    assert registry.model("Comment").attribute("body") is not None
    assert registry.model("Team").factory is None
    assert any("'factory' on attribute 'name'" in note for note in registry.model("Team").notes)


def test_files_are_walked_recursively_in_sorted_order_without_declaration_files() -> None:
    files = [path.relative_to(BLOG_TS).as_posix() for path in model_files(BLOG_TS)]
    assert files == [
        "Comment.js",
        "Post.ts",
        "Role.ts",
        "Team.ts",
        "User.ts",
        "orders/Order.ts",
        "orders/OrderLine.ts",
    ]


def test_json_yaml_and_python_files_give_the_blog() -> None:
    registry = fresh()
    loaded = load_definitions(FIXTURES / "blog_mixed", registry=registry)
    assert len(loaded) == len(blog.BLOG)
    assert_is_the_blog(registry)


def test_python_modules_register_themselves_and_their_models_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application = fresh()
    monkeypatch.setattr(registry_module, "_global", application)
    target = fresh()
    loaded = load_definitions(FIXTURES / "python_models", registry=target)
    assert [d.name for d in loaded] == ["Label", "Tag"]
    assert [d.name for d in target.models] == ["Label", "Tag"]
    assert "Tag" in application  # registered by the module itself on import


def test_default_path_comes_from_the_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "models/Role.ts", "export default { name: 'Role' }")
    config = validate_config(query_builder={"models_path": str(tmp_path / "models")})
    monkeypatch.setattr(discovery, "get_config", lambda: config)
    registry = fresh()
    assert [d.name for d in load_definitions(registry=registry)] == ["Role"]


def test_default_registry_is_the_application_registry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    application = fresh()
    monkeypatch.setattr(registry_module, "_global", application)
    write(tmp_path, "Role.json", '{"name": "Role"}')
    load_definitions(tmp_path)
    assert "Role" in application


def test_a_one_model_file_without_a_name_takes_the_file_stem(tmp_path: Path) -> None:
    write(tmp_path, "AuditLog.yaml", "attributes: {message: string}\n")
    write(tmp_path, "Badge.js", "module.exports = { attributes: {} }")
    loaded = load_definitions(tmp_path, registry=fresh())
    assert [d.name for d in loaded] == ["AuditLog", "Badge"]


def test_hidden_and_vendor_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "Role.ts", "export default { name: 'Role' }")
    write(tmp_path, ".cache/Broken.ts", "not a model")
    write(tmp_path, "node_modules/pkg/index.js", "module.exports = 1")
    write(tmp_path, "README.md", "# models")
    write(tmp_path, "__init__.py", "raise RuntimeError('not imported')")
    assert [d.name for d in load_definitions(tmp_path, registry=fresh())] == ["Role"]


# Errors.
def test_missing_folder_names_the_path_and_the_option(tmp_path: Path) -> None:
    missing = tmp_path / "app" / "models"
    with pytest.raises(SchemaError) as caught:
        load_definitions(missing, registry=fresh())
    assert str(missing) in str(caught.value)
    assert "query_builder.models_path" in str(caught.value)


def test_missing_configured_folder_says_to_set_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    config = validate_config(query_builder={"models_path": "no/such/folder"})
    monkeypatch.setattr(discovery, "get_config", lambda: config)
    with pytest.raises(SchemaError, match=r"'no/such/folder'.*set query_builder\.models_path"):
        load_definitions(registry=fresh())


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("Bad.ts", "export default {\n  name: 'Bad'\n  table: 'x' }", "Bad.ts:3:3: expected `,`"),
        ("Bad.js", "const x = 1", "Bad.js: no model found"),
        ("Bad.json", '{"name": "Bad",}', "Bad.json:1:16: invalid JSON"),
        ("Bad.yaml", "name: [Bad\n", "Bad.yaml:2:1: invalid YAML"),
        ("Bad.yml", "- name: Bad\n- 3\n", "Bad.yml: expected a model object, got int 3"),
        ("Bad.json", '{"name": "Bad", "hasMany": "Post"}', "Bad.json: Stacks model 'Bad'"),
        ("Bad.py", "raise RuntimeError('boom')", "Bad.py: importing the model module failed"),
        ("Bad.py", "MODELS = {'name': 'Bad'}", "Bad.py: MODELS must be a list"),
        ("Bad.py", "MODELS = [{'name': 'Bad', 'colour': 1}]", "Bad.py: Stacks model 'Bad'"),
        ("Bad.py", "MODELS = [{'name': 'Bad'}, {'name': 'Bad'}]", "defined twice in this file"),
    ],
)
def test_a_failing_file_is_named(tmp_path: Path, name: str, text: str, fragment: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(SchemaError) as caught:
        load_definitions(tmp_path, registry=fresh())
    message = str(caught.value)
    assert message.startswith(str(path))
    assert fragment in message


def test_duplicate_model_names_across_files_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a/User.ts", "export default { name: 'User' }")
    second = write(tmp_path, "b/user.json", '{"name": "User", "attributes": {"x": {}}}')
    with pytest.raises(SchemaError) as caught:
        load_definitions(tmp_path, registry=fresh())
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)
    assert "'User' is defined twice" in str(caught.value)


def test_conflict_with_an_already_registered_model_names_the_file(tmp_path: Path) -> None:
    registry = fresh()
    registry.register(ModelDefinition("Role", "ROLE"))
    path = write(tmp_path, "Role.ts", "export default { name: 'Role', pkPrefix: 'R' }")
    with pytest.raises(SchemaError, match="a different model named 'Role'") as caught:
        load_definitions(tmp_path, registry=registry)
    assert str(caught.value).startswith(str(path))


def test_nothing_is_registered_when_a_file_fails(tmp_path: Path) -> None:
    write(tmp_path, "A.ts", "export default { name: 'A' }")
    write(tmp_path, "B.ts", "export default { name: 'B' }")
    write(tmp_path, "C.ts", "export default { name: 'C', hasMany: 'A' }")
    registry = fresh()
    with pytest.raises(SchemaError, match=r"C\.ts"):
        load_definitions(tmp_path, registry=registry)
    assert registry.models == ()


# Python model modules importing each other (the CLI's path: definitions only).
def test_model_modules_importing_each_other_give_each_model_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(registry_module, "_global", fresh())
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = set(sys.modules)
    try:
        write(
            tmp_path,
            "models/team.py",
            "from dynamodb_tooling import Model\n\n\nclass Team(Model):\n    name: str\n",
        )
        post = write(
            tmp_path,
            "models/post.py",
            "from dynamodb_tooling import BelongsTo, Model\nfrom models.team import Team\n\n\n"
            "class Post(Model):\n    title: str\n    team = BelongsTo(Team)\n",
        )
        registry = fresh()
        found = discover(tmp_path / "models", registry=registry)
        assert [m.definition.name for m in found] == ["Post", "Team"]
        team = sys.modules["models.team"]
        assert [m.model_class for m in found] == [sys.modules["models.post"].Post, team.Team]
        assert [m.file for m in found] == [post, tmp_path / "models" / "team.py"]
        assert [d.name for d in registry.models] == ["Post", "Team"]
        assert registry.model("Post").relations[0].target == "Team"
    finally:
        for name in set(sys.modules) - modules:
            del sys.modules[name]


def test_stacks_models_carry_the_object_they_were_parsed_from(tmp_path: Path) -> None:
    write(tmp_path, "Role.ts", "export default { name: 'Role', attributes: { label: {} } }")
    write(tmp_path, "Badge.yaml", "attributes: {label: string}\n")
    found = discover(tmp_path, registry=fresh())
    assert [(m.definition.name, m.data, m.model_class) for m in found] == [
        ("Badge", {"name": "Badge", "attributes": {"label": "string"}}, None),
        ("Role", {"name": "Role", "attributes": {"label": {}}}, None),
    ]


def test_the_definitions_level_name_of_earlier_releases_still_works() -> None:
    assert discovery.load_models is load_definitions
