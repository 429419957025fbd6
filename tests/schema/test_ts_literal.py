"""Reading Stacks ``.ts``/``.js`` model files as data, with code kept as text."""

from typing import Any

import pytest

from dynamodb_tooling.schema import RawCode, SchemaError
from dynamodb_tooling.schema.ts_literal import parse_literal, parse_model_file


def parse(body: str) -> dict[str, Any]:
    return parse_model_file(f"export default {body}", source="Model.ts")


# Finding the model object.
@pytest.mark.parametrize(
    "text",
    [
        "export default { name: 'User' }",
        "export default { name: 'User' } satisfies Model",
        "export default { name: 'User' } as Model;",
        "export default defineModel({ name: 'User' })",
        "export default defineModel({ name: 'User' } as const)",
        "export default orm.defineModel({ name: 'User' }, { strict: true })",
        "export default ({ name: 'User' })",
        "module.exports = { name: 'User' }",
        "module . exports = defineModel({ name: 'User' })",
        "const model = { name: 'User' }\nexport default model",
        "const model: Model = { name: 'User' } satisfies Model\nexport default model",
        "let user = defineModel({ name: 'User' })\nexport default user",
    ],
)
def test_export_forms(text: str) -> None:
    assert parse_model_file(text, source="User.ts") == {"name": "User"}


def test_the_rest_of_the_file_is_ignored() -> None:
    text = """
import type { Model } from '@stacksjs/types'
import { schema } from "@stacksjs/validation"
// export default { name: 'Commented' }
/* export default { name: 'Blocked' } */
const note = 'export default { name: "Quoted" }'
const tpl = `export default ${note} { name: 'Template' }`
const re = /export default \\{ name: "Regex" }/g
function helper(a: number, b: number): number { return a / b / 2 }
export const other = { name: 'Other' }
export default {
  name: 'User',
} satisfies Model
export function after() { return { name: 'After' } }
"""
    assert parse_model_file(text, source="User.ts") == {"name": "User"}


# Literal values.
def test_strings_and_escapes() -> None:
    assert parse(r"""{ a: 'single', b: "double", c: 'it\'s', d: "say \"hi\"" }""") == {
        "a": "single",
        "b": "double",
        "c": "it's",
        "d": 'say "hi"',
    }
    assert parse(
        r"{ a: 'x\ny\tz\\', b: '\x41\u0042\u{1F600}', c: 'a\
b', d: '\q' }"
    ) == {"a": "x\ny\tz\\", "b": "AB\U0001f600", "c": "ab", "d": "q"}


def test_template_literal_without_interpolation_is_a_string() -> None:
    assert parse("{ a: `plain`, b: `two\nlines`, c: `tick \\` and \\${not}` }") == {
        "a": "plain",
        "b": "two\nlines",
        "c": "tick ` and ${not}",
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("3.25", 3.25),
        ("-0.5", -0.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("2.5E-2", 0.025),
        ("0xFF", 255),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000_000", 1_000_000),
        ("10n", 10),
        ("1.", 1.0),
    ],
)
def test_numbers(text: str, value: float) -> None:
    parsed = parse(f"{{ n: {text} }}")["n"]
    assert parsed == value
    assert type(parsed) is type(value)


def test_keywords() -> None:
    assert parse("{ a: true, b: false, c: null, d: undefined }") == {
        "a": True,
        "b": False,
        "c": None,
        "d": None,
    }


def test_arrays_objects_and_trailing_commas() -> None:
    assert parse("{ a: [], b: [1, [2, 3,], { c: 'd', },], e: {}, }") == {
        "a": [],
        "b": [1, [2, 3], {"c": "d"}],
        "e": {},
    }


def test_keys() -> None:
    assert parse("{ bare: 1, 'single': 2, \"dou ble\": 3, 4: 4, $dollar: 5, _u: 6, class: 7 }") == {
        "bare": 1,
        "single": 2,
        "dou ble": 3,
        "4": 4,
        "$dollar": 5,
        "_u": 6,
        "class": 7,
    }


def test_comments_anywhere() -> None:
    text = """{ // a comment { with braces
      /* block 'quote' } */ a /* here */ : /* there */ [1, // one
        2 /* two */, ], // after
      b: 'x', /* trailing */
    }"""
    assert parse(text) == {"a": [1, 2], "b": "x"}


def test_type_assertions_after_literals_are_dropped() -> None:
    assert parse("{ a: ['x', 'y'] as const, b: 'z' as Status, c: {} satisfies Obj }") == {
        "a": ["x", "y"],
        "b": "z",
        "c": {},
    }


# Code values.
@pytest.mark.parametrize(
    "code",
    [
        "faker => faker.person.fullName()",
        "(faker) => ({ name: faker.person.fullName(), tags: [1, 2] })",
        "async (x) => { const y = await x; return { y } }",
        "function (faker) { return faker.lorem.word() }",
        "schema.string().min(3).max(255)",
        "schema.enum(['draft', 'published'])",
        "faker.person.fullName()",
        "STATUSES",
        "Status.Draft",
        "`hello ${user.name}, { braces } ${`nested ${x}`}`",
        "/^[a-z]+,}$/i",
        "new Date()",
        "'a' + 'b'",
        "-x",
        "1 + 2",
        "[1, 2].map((n) => n * 2)",
        "{ a: 1 }.a",
        "cond ? 'a' : 'b'",
        "html`<b>${x}</b>`",
        "(value: string): boolean => value.length > 0",
    ],
)
def test_code_values_become_raw_code_with_their_exact_text(code: str) -> None:
    value = parse(f"{{ a: {code}, b: 1 }}")
    assert value == {"a": RawCode(code), "b": 1}
    assert parse(f"{{ a: {code} }}") == {"a": RawCode(code)}


def test_code_text_spans_lines_and_excludes_trailing_comments() -> None:
    text = """{
      factory: (faker) => ({
        name: faker.person.fullName(), // a name
      }), // trailing
      rule: schema.string()
        .email() /* last */
    }"""
    assert parse(text) == {
        "factory": RawCode(
            "(faker) => ({\n        name: faker.person.fullName(), // a name\n      })"
        ),
        "rule": RawCode("schema.string()\n        .email()"),
    }


def test_code_inside_arrays_and_nested_objects() -> None:
    assert parse("{ a: [x => x, 'lit', f()], b: { c: g.h } }") == {
        "a": [RawCode("x => x"), "lit", RawCode("f()")],
        "b": {"c": RawCode("g.h")},
    }


def test_method_and_shorthand_properties_are_code() -> None:
    assert parse("{ validate(value) { return !!value }, helper }") == {
        "validate": RawCode("validate(value) { return !!value }"),
        "helper": RawCode("helper"),
    }


def test_parse_literal() -> None:
    assert parse_literal(" { a: [1, 'x', f()] } ") == {"a": [1, "x", RawCode("f()")]}
    assert parse_literal("'s'") == "s"
    with pytest.raises(SchemaError, match=r"<literal>:1:5: expected the end of the value"):
        parse_literal("'s' )")


# Errors.
ERRORS: list[tuple[str, str]] = [
    ("const x = 1", "Model.ts: no model found; expected `export default { ... }`"),
    ("export default 42", "Model.ts:1:16: expected an object literal `{ ... }` after the export"),
    ("export default model", "Model.ts:1:16: expected an object literal, or a `const model"),
    ("export default a.b", "Model.ts:1:16: expected an object literal"),
    ("export default defineModel({ a: 1 }", "Model.ts:1:36: expected `)` to end the expression"),
    ("export default { name: 'User'", "Model.ts:1:30: expected `,` or `}` after the property"),
    ("export default { name: 'User }", "Model.ts:1:24: expected ' to close the string started"),
    ("export default { name: 'Us\ner' }", "Model.ts:1:24: expected ' to close the string"),
    ("export default { a: `x${y` }", "Model.ts:1:26: expected ` to close the template literal"),
    ("export default { a: 1 /* x }", "Model.ts:1:23: expected `*/` to close the comment"),
    ("export default {\n  name 'User' }", "Model.ts:2:8: expected `:` after the property name"),
    ("export default { name: }", "Model.ts:1:24: expected a value, found '}'"),
    ("export default { a: [1,, 2] }", "Model.ts:1:24: expected a value, found ', 2] }'"),
    ("export default {\n  a: 'x'\n  b: 'y' }", "Model.ts:3:3: expected `,` between the two"),
    ("export default { a: [1 2] }", "Model.ts:1:24: expected `,` between the two values"),
    ("export default { a: f => f.x()\n b: 1 }", "Model.ts:2:2: expected `,` between the two"),
    ("export default { a: 1px }", "Model.ts:1:22: expected `,` between the two values"),
    ("export default { a: 1, a: 2 }", "Model.ts:1:24: property 'a' is given twice"),
    ("export default { ...base }", "Model.ts:1:18: expected a property (spread `...`"),
    ("export default { a: [...xs] }", "Model.ts:1:22: expected a value (spread `...`"),
    ("export default { [key]: 1 }", "Model.ts:1:18: expected a property name, found '[key]"),
    ("export default { a: f(] }", "Model.ts:1:23: unbalanced brackets in code value"),
    ("export default { a: f(1 }", "Model.ts:1:25: unbalanced brackets in code value"),
    ("export default { a: f(1", "Model.ts:1:24: expected `)` to end the expression"),
    ("export default { a: /abc }", "Model.ts:1:21: expected / to close the regular expression"),
    ("export default { a: '\\x4' }", "Model.ts:1:25: expected a valid hexadecimal escape"),
    ("export default { a: '\\u{zz}' }", "expected a valid hexadecimal escape"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_syntax_errors_say_where_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_model_file(text, source="Model.ts")
    assert message in str(caught.value)
