"""``dbtooling make:model NAME``: write a model module (and its factory and seeder).

Laravel's ``php artisan make:model Post -fs`` / Rails' ``rails g model``, adapted::

    dbtooling make:model Post -a "title:str" -a "slug:str:unique" -a "views:int:default=0" \\
        -a "body:str?" --belongs-to User --has-many Comment --timestamps -f -s

writes ``<models_path>/post.py`` (``--path`` overrides the folder) holding ``class Post(Model)``
that ``load_models`` discovers; ``--factory``/``-f`` and ``--seeder``/``-s`` (``--all``: both)
also write ``PostFactory`` (filling every attribute) and ``PostSeeder`` (creating ten posts)
the way ``make:factory`` and ``make:seeder`` do.

An attribute is ``name[:type][:modifier...]``: types ``str`` (the default), ``int``, ``float``,
``Decimal``, ``bool``, ``datetime``, ``date``, ``list``, ``dict``, ``set``; a ``?`` after the
type (or ``nullable``) makes it optional; modifiers ``unique``, ``index``, ``hidden`` and
``default=<Python literal>`` (the rest of the text, colons included). Everything is checked
before any file is written; an existing file is kept unless ``--force``.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import keyword
import re
import sys
import types
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from dynamodb_tooling.cli.commands._common import load_project_models, out
from dynamodb_tooling.cli.commands.seed import factory_source, seeder_source
from dynamodb_tooling.config import get_config
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm import get_model, load_models
from dynamodb_tooling.schema import Registry, get_registry
from dynamodb_tooling.schema.definitions import SELF, RelationKind
from dynamodb_tooling.schema.naming import relation_name, snake

#: ``--attribute`` type → (annotation, extra import). ``decimal`` is accepted for ``Decimal``.
TYPES: dict[str, tuple[str, str]] = {
    "str": ("str", ""),
    "int": ("int", ""),
    "float": ("float", ""),
    "Decimal": ("Decimal", "from decimal import Decimal"),
    "bool": ("bool", ""),
    "datetime": ("datetime", "from datetime import datetime"),
    "date": ("date", "from datetime import date"),
    "list": ("list[Any]", "from typing import Any"),
    "dict": ("dict[str, Any]", "from typing import Any"),
    "set": ("set[str]", ""),
}
_TYPE_ALIASES = {"decimal": "Decimal"}
_KEYABLE = ("str", "int", "date", "datetime")
MODIFIERS = ("unique", "index", "hidden", "nullable", "default=")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_ATTRIBUTE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_LINE = 100
_RELATIONS: tuple[tuple[RelationKind, str, str], ...] = (
    ("belongs_to", "BelongsTo", "--belongs-to"),
    ("has_many", "HasMany", "--has-many"),
    ("belongs_to_many", "BelongsToMany", "--belongs-to-many"),
)


@dataclass
class NewAttribute:
    """One ``--attribute``, parsed: ``default`` is Python source (``None``: no default)."""

    name: str
    type: str = "str"
    nullable: bool = False
    unique: bool = False
    index: bool = False
    hidden: bool = False
    default: str | None = None
    factory: bool = False  # the default is mutable: ``default_factory=`` it


@dataclass
class NewRelation:
    name: str
    kind: RelationKind
    cls: str
    target: str
    foreign_key: str | None = None


@dataclass
class NewModel:
    """What ``make:model`` writes, checked: the source comes from :func:`model_source`."""

    name: str
    attributes: list[NewAttribute] = field(default_factory=list)
    relations: list[NewRelation] = field(default_factory=list)
    timestamps: bool = False
    soft_deletes: bool = False


def register(app: typer.Typer) -> None:
    """Add ``make:model`` to the root app."""
    app.command("make:model", help="Write a model module (and its factory and seeder).")(make_model)


def _fail(message: str) -> DynamoDBToolingError:
    return DynamoDBToolingError(message)


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}? " if close else ""


def check_model_name(name: str) -> None:
    """A model name is a PascalCase identifier (``Post``, ``OrderLine``)."""
    if _PASCAL.match(name) and not keyword.iskeyword(name):
        return
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    fix = "".join(p[:1].upper() + p[1:] for p in parts)
    hint = f" (e.g. {fix!r})" if fix and _PASCAL.match(fix) else ""
    raise _fail(
        f"model name {name!r} is not a PascalCase class name; use letters and digits starting "
        f"with a capital{hint}"
    )


def parse_attribute(text: str) -> NewAttribute:
    """``"email:str:unique"`` → :class:`NewAttribute` (see the module docstring)."""
    head, _, default = text.partition(":default=")
    if head.startswith("default="):
        raise _fail(f"--attribute {text!r} has no name; write NAME[:TYPE][:MODIFIER...]")
    name, *parts = head.split(":")
    attribute = NewAttribute(name=name.removesuffix("?"), nullable=name.endswith("?"))
    _check_attribute_name(attribute.name, text)
    if parts and parts[0] not in MODIFIERS:
        attribute.type = _type_of(parts.pop(0), attribute, text)
    for modifier in parts:
        _apply(modifier, attribute, text)
    if _:
        attribute.default, attribute.factory = _default_source(default, attribute, text)
    _check_keyable(attribute, text)
    return attribute


def _check_keyable(attribute: NewAttribute, text: str) -> None:
    """``unique`` and ``index`` place the value in a key: str, int, date or datetime only."""
    for flag in ("unique", "index"):
        if getattr(attribute, flag) and attribute.type not in _KEYABLE:
            raise _fail(
                f"--attribute {text!r}: {flag} puts the value in a key, which takes "
                f"{', '.join(_KEYABLE)}, not {_a(attribute.type)}; leave out {flag} or "
                "change the type"
            )


def _check_attribute_name(name: str, text: str) -> None:
    if not _ATTRIBUTE_NAME.match(name) or keyword.iskeyword(name):
        raise _fail(
            f"--attribute {text!r}: {name!r} is not a snake_case Python name; "
            f"write it like {snake(re.sub(r'[^A-Za-z0-9_]', '_', name)).strip('_') or 'title'!r}"
        )


def _type_of(word: str, attribute: NewAttribute, text: str) -> str:
    if word.endswith("?"):
        attribute.nullable = True
        word = word[:-1]
    word = _TYPE_ALIASES.get(word, word)
    if word not in TYPES:
        raise _fail(
            f"--attribute {text!r}: unknown type {word!r}; {_did_you_mean(word, list(TYPES))}"
            f"types: {', '.join(TYPES)}"
        )
    return word


def _apply(modifier: str, attribute: NewAttribute, text: str) -> None:
    if modifier in ("unique", "index", "hidden", "nullable"):
        setattr(attribute, modifier, True)
        return
    raise _fail(
        f"--attribute {text!r}: unknown modifier {modifier!r}; "
        f"{_did_you_mean(modifier, [m.rstrip('=') for m in MODIFIERS])}"
        "modifiers: unique, index, hidden, nullable, default=<Python literal> (last)"
    )


def _default_source(source: str, attribute: NewAttribute, text: str) -> tuple[str, bool]:
    """The default as Python source of the attribute's type, and whether it is mutable."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        raise _fail(
            f"--attribute {text!r}: default {source!r} is not a Python literal; "
            f"quote a string (default='{source}') or give a number, True/False, [], {{}}"
        ) from None
    if value is None:
        attribute.nullable = True
        return "None", False
    kind = attribute.type
    expected: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "int": (int,),
        "float": (int, float),
        "Decimal": (int, float, str),
        "bool": (bool,),
        "list": (list,),
        "dict": (dict,),
        "set": (set, frozenset),
    }
    if kind not in expected:
        raise _fail(
            f"--attribute {text!r}: a {kind} default is not a literal; leave it out and set "
            f"the value in code (attribute(default_factory=...))"
        )
    if not isinstance(value, expected[kind]) or (isinstance(value, bool) and kind != "bool"):
        raise _fail(
            f"--attribute {text!r}: default {source!r} is {_a(type(value).__name__)}, not "
            f"{_a(kind)}; give {_a(kind)} literal"
        )
    if kind == "Decimal":
        try:
            return f'Decimal("{Decimal(str(value))}")', False
        except InvalidOperation:
            raise _fail(f"--attribute {text!r}: default {source!r} is not a number") from None
    return _literal(value), kind in ("list", "dict", "set")


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiouAEIOU' else 'a'} {word}"


def _literal(value: Any) -> str:
    """Python source of a literal, strings in double quotes as ``ruff format`` writes them."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            return '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
        return "{" + ", ".join(_literal(v) for v in items) + "}" if items else "set()"
    return repr(value)


def parse_relations(model: str, by_option: dict[str, list[str]]) -> list[NewRelation]:
    """``--belongs-to Team`` → ``team = BelongsTo("Team")`` (and has-many, belongs-to-many)."""
    relations = []
    for kind, cls, option in _RELATIONS:
        for target in by_option.get(kind, []):
            if not _PASCAL.match(target) or keyword.iskeyword(target):
                raise _fail(
                    f"{option} {target!r} is not a model name; give a PascalCase identifier "
                    "(e.g. Team, OrderLine)"
                )
            named = SELF if target == model else target
            foreign_key = f"{snake(target)}_id" if kind == "belongs_to" else None
            if kind == "belongs_to" and named == SELF:
                foreign_key = "parent_id"
            name = relation_name(kind, named)
            relations.append(NewRelation(name, kind, cls, named, foreign_key))
    return relations


def check_names(model: NewModel) -> None:
    """No two attributes, relations or foreign keys share a name."""
    seen: dict[str, str] = {"id": "the primary key"}
    if model.timestamps:
        seen |= {"created_at": "--timestamps", "updated_at": "--timestamps"}
    if model.soft_deletes:
        seen["deleted_at"] = "--soft-deletes"
    named = [(a.name, f"--attribute {a.name}") for a in model.attributes]
    for relation in model.relations:
        named.append((relation.name, f"the relation {relation.name} ({relation.target})"))
        if relation.foreign_key:
            named.append((relation.foreign_key, f"the foreign key of {relation.name}"))
    for name, what in named:
        if name in seen:
            raise _fail(
                f"{what} uses the name {name!r}, already taken by {seen[name]}; "
                "rename one of them or leave one out"
            )
        seen[name] = what


def model_source(model: NewModel) -> str:
    """The module text of ``model``, formatted as ``ruff format`` would."""
    imports = {TYPES[a.type][1] for a in model.attributes} - {""}
    library = sorted(
        {"Model"}
        | {r.cls for r in model.relations}
        | ({"attribute"} if any(_options(a) for a in model.attributes) else set())
    )
    dates = sorted(i.split()[-1] for i in imports if i.startswith("from datetime"))
    imports = {i for i in imports if not i.startswith("from datetime")}
    if dates:
        imports.add(f"from datetime import {', '.join(dates)}")
    lines = [f'"""The {model.name} model (written by ``dbtooling make:model``)."""', ""]
    if imports:  # standard library only: datetime, decimal, typing sort by module name
        lines += [*sorted(imports), ""]
    lines += [f"from dynamodb_tooling import {', '.join(library)}", "", ""]
    traits = "".join(
        f", {flag}=True"
        for flag, on in (("timestamps", model.timestamps), ("soft_deletes", model.soft_deletes))
        if on
    )
    lines.append(f"class {model.name}(Model{traits}):")
    body = [_attribute_line(a) for a in model.attributes]
    body += [f'    {r.name} = {r.cls}("{r.target}")' for r in model.relations]
    lines += body or ['    """A model with only an id; add attributes as annotations."""']
    return "\n".join(lines) + "\n"


def _options(attribute: NewAttribute) -> list[str]:
    """The ``attribute(...)`` arguments, or none when a plain default says it all."""
    flags = [f"{f}=True" for f in ("unique", "index", "hidden") if getattr(attribute, f)]
    if attribute.factory:
        kind = attribute.type
        empty = attribute.default in ("[]", "{}", "set()")
        return [*flags, f"default_factory={kind if empty else 'lambda: ' + str(attribute.default)}"]
    if flags and attribute.default is not None and attribute.default != "None":
        flags.append(f"default={attribute.default}")
    return flags


def _attribute_line(attribute: NewAttribute) -> str:
    annotation = TYPES[attribute.type][0] + (" | None" if attribute.nullable else "")
    start = f"    {attribute.name}: {annotation}"
    options = _options(attribute)
    if options:
        one = f"{start} = attribute({', '.join(options)})"
        if len(one) <= _LINE:
            return one
        inner = f"        {', '.join(options)}"
        if len(inner) <= _LINE:
            return f"{start} = attribute(\n{inner}\n    )"
        return f"{start} = attribute(\n" + "".join(f"        {o},\n" for o in options) + "    )"
    if attribute.default is not None:
        return f"{start} = {attribute.default}"
    return f"{start} = None" if attribute.nullable else start


def check_registers(model: NewModel, source: str) -> None:
    """Run ``source`` against a scratch registry: what the library refuses (a reserved name, an
    option that clashes) is refused now, before anything is written."""
    scratch = Registry(get_config())
    marked = source.replace(
        f"class {model.name}(Model", f"class {model.name}(Model, registry=__scratch__", 1
    )
    module = types.ModuleType(f"_make_model_check_{model.name.lower()}")
    module.__scratch__ = scratch  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module  # annotations are resolved in the class's module
    try:
        exec(compile(marked, f"<make:model {model.name}>", "exec"), module.__dict__)
    except DynamoDBToolingError as exc:
        raise _fail(f"the model {model.name} would not load: {exc}") from None
    finally:
        del sys.modules[module.__name__]


def _check_not_registered(name: str, file: Path, force: bool) -> None:
    registry = get_registry()
    if name not in registry:
        return
    module = sys.modules.get(get_model(name).__module__)
    where = Path(getattr(module, "__file__", "") or "")
    if force and where.exists() and where.resolve() == file.resolve():
        return  # --force rewrites the very file that declares it
    raise _fail(
        f"a model named {name!r} is already registered ({where if where.name else 'loaded'}); "
        "pick another name, or edit that model"
    )


def _target(folder: Path, stem: str, force: bool) -> Path:
    file = folder / f"{stem}.py"
    if file.exists() and not force:
        raise _fail(f"{file} exists; pass --force to overwrite it")
    return file


AttributeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--attribute",
        "-a",
        help=(
            'NAME[:TYPE][:MODIFIER...], e.g. "email:str:unique" (repeatable). TYPE: str '
            "(default), int, float, Decimal, bool, datetime, date, list, dict, set; TYPE? or "
            "nullable: optional. MODIFIER: unique, index, hidden, default=<Python literal> "
            "(last)"
        ),
    ),
]


def make_model(
    name: Annotated[str, typer.Argument(help="model class name, e.g. Post")],
    attributes: AttributeOption = None,
    timestamps: Annotated[
        bool, typer.Option("--timestamps", help="created_at / updated_at")
    ] = False,
    soft_deletes: Annotated[
        bool, typer.Option("--soft-deletes", help="deleted_at; delete() hides the item")
    ] = False,
    belongs_to: Annotated[
        list[str] | None, typer.Option("--belongs-to", help="parent model (repeatable)")
    ] = None,
    has_many: Annotated[
        list[str] | None, typer.Option("--has-many", help="child model (repeatable)")
    ] = None,
    belongs_to_many: Annotated[
        list[str] | None,
        typer.Option("--belongs-to-many", help="many-to-many model (repeatable)"),
    ] = None,
    factory: Annotated[
        bool, typer.Option("--factory", "-f", help="also write <NAME>Factory")
    ] = False,
    seeder: Annotated[bool, typer.Option("--seeder", "-s", help="also write <NAME>Seeder")] = False,
    everything: Annotated[bool, typer.Option("--all", help="--factory and --seeder")] = False,
    path: Annotated[
        Path | None,
        typer.Option("--path", help="models folder (default: query_builder.models_path)"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite existing files")] = False,
) -> None:
    """Write ``<models_path>/<snake_name>.py``: a Model subclass with the given attributes,
    relations and traits (and, with -f / -s / --all, its factory and seeder)."""
    check_model_name(name)
    model = NewModel(
        name,
        [parse_attribute(a) for a in attributes or []],
        parse_relations(
            name,
            {
                "belongs_to": belongs_to or [],
                "has_many": has_many or [],
                "belongs_to_many": belongs_to_many or [],
            },
        ),
        timestamps,
        soft_deletes,
    )
    check_names(model)
    source = model_source(model)
    check_registers(model, source)
    config = get_config().query_builder
    folder = path or Path(config.models_path)
    file = _target(folder, snake(name), force)
    factory, seeder = factory or everything, seeder or everything
    others = [
        (Path(config.factories_path), f"{name}Factory", factory),
        (Path(config.seeders_path), f"{name}Seeder", seeder),
    ]
    files = {cls: _target(where, snake(cls), force) for where, cls, on in others if on}
    load_project_models()
    if path is not None and path.is_dir():
        load_models(path)
    _check_not_registered(name, file, force)
    _write(file, source)
    _write_companions(name, folder, files)


def _write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    out.print(f"wrote {file}")


def _write_companions(name: str, folder: Path, files: dict[str, Path]) -> None:
    """The factory and seeder of the model just written, registered to read its attributes."""
    if not files:
        return
    for loaded in list(sys.modules.values()):  # --force over a module loaded above: re-run it
        where = getattr(loaded, "__file__", None)
        if where and Path(where).resolve() == (folder / f"{snake(name)}.py").resolve():
            importlib.reload(loaded)
    load_models(folder)
    factory, seeder = files.get(f"{name}Factory"), files.get(f"{name}Seeder")
    if factory is not None:
        _write(factory, factory_source(f"{name}Factory", name))
    if seeder is not None:
        module = get_model(name).__module__
        imports = "" if module.startswith("_") else f"\nfrom {module} import {name}\n"
        seeds = bool(imports) and (factory or _factory_file(name)).exists()
        body = f"        {name}.factory().count(10).create()\n" if seeds else ""
        _write(seeder, seeder_source(f"{name}Seeder", imports=imports, body=body))


def _factory_file(name: str) -> Path:
    return Path(get_config().query_builder.factories_path) / f"{snake(name)}_factory.py"
