"""Read the model object of a Stacks ``.ts`` / ``.js`` file without executing it.

The file's ``export default { ... }`` (or ``export default defineModel({ ... })``,
``module.exports = { ... }``, ``export default model`` naming a ``const``, with ``satisfies
Model`` / ``as const`` after it) is parsed as an object literal: strings, numbers, booleans,
``null``/``undefined``, arrays, nested objects, quoted or bare keys, trailing commas, comments.
Any value that is code — an arrow function, ``schema.string().min(3)``, a template literal
with ``${}`` — becomes :class:`RawCode` holding its exact source text; nothing is evaluated.
One exception keeps validator chains self-contained: in ``schema.enum(STATUSES)`` (a chain on
``schema``/``vine``/``v``) an argument naming a ``const`` of the same file whose value is a
literal is replaced by that literal's text (``schema.enum(['draft', 'published'])``).
Everything else in the file (imports, helpers, types) is skipped.
:func:`parse_call_chain` splits such a chain into its calls for :mod:`.validation`.
"""

from __future__ import annotations

import re
from typing import Any

from dynamodb_tooling.schema.definitions import RawCode
from dynamodb_tooling.schema.errors import SchemaError

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(
    r"-?(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*"
    r"|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?)n?"
)
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": None}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# A `/` after one of these (or at the start) begins a regular expression, not a division.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {""}
# Words that join or prefix operands: `x as T`, `new Date()`, `async x => x`.
_OPERATOR_TEXT = """new typeof void delete await yield in of instanceof as satisfies async function
class extends return throw keyof readonly is infer asserts"""
_OPERATOR_WORDS = frozenset(_OPERATOR_TEXT.split())
# A validator chain (`schema.string()...`) and a bare name given as one of its arguments.
_CHAIN_START = re.compile(r"(?:schema|vine|v)\s*\.")
_ARGUMENT_NAME = re.compile(r"(?<=[(,])(\s*)([A-Za-z_$][\w$]*)(?=\s*[,)])")


def parse_model_file(text: str, *, source: str) -> dict[str, Any]:
    """The model object exported by a Stacks model file, with code values as :class:`RawCode`.

    >>> parse_model_file("export default { name: 'User', hasMany: ['Post'] }", source="User.ts")
    {'name': 'User', 'hasMany': ['Post']}
    """
    cursor = _Cursor(text, source)
    start = _find_export(cursor)
    if start is None:
        raise SchemaError(
            f"{source}: no model found; expected `export default {{ ... }}`, "
            "`export default defineModel({ ... })` or `module.exports = { ... }`"
        )
    cursor.pos = start
    return _exported_object(cursor, depth=0)


def parse_literal(text: str, *, source: str = "<literal>") -> Any:
    """One JavaScript literal value (``{ a: [1, 'x'] }``) with code values as :class:`RawCode`."""
    cursor = _Cursor(text, source)
    value = _value(cursor)
    cursor.skip_trivia()
    if cursor.peek():
        raise cursor.error("expected the end of the value")
    return value


class _Cursor:
    """A position in the source plus the lexical primitives (trivia, strings, code spans)."""

    def __init__(self, text: str, source: str, *, inline: bool = True) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        #: Inline ``const`` literals named in validator chains (off while reading a const).
        self.inline = inline

    def error(self, expected: str, pos: int | None = None) -> SchemaError:
        at = self.pos if pos is None else pos
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        found = repr(self.text[at : at + 12]) if at < len(self.text) else "the end of the file"
        return SchemaError(f"{self.source}:{line}:{column}: {expected}, found {found}")

    def peek(self, offset: int = 0) -> str:
        return self.text[self.pos + offset : self.pos + offset + 1]

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def expect(self, char: str, what: str) -> None:
        self.skip_trivia()
        if self.peek() != char:
            raise self.error(f"expected {what}")
        self.pos += 1

    def skip_trivia(self) -> None:
        """Skip whitespace and comments."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos].isspace():
                self.pos += 1
            if self.startswith("//"):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.startswith("/*"):
                end = self.text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("expected `*/` to close the comment")
                self.pos = end + 2
            else:
                return

    def identifier(self) -> str | None:
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def string(self) -> str:
        """A '…' or "…" string at the cursor, escapes decoded."""
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            char = self.peek()
            if char in ("", "\n"):
                raise self.error(f"expected {quote} to close the string started", start)
            self.pos += 1
            if char == quote:
                return "".join(parts)
            parts.append(self._escape() if char == "\\" else char)

    def _escape(self) -> str:
        char = self.peek()
        self.pos += 1
        if char == "x":
            return self._code_point(2)
        if char == "u":
            if self.peek() == "{":
                end = self.text.find("}", self.pos)
                if end < 0:
                    raise self.error("expected `}` to close the \\u{...} escape")
                digits, self.pos = self.text[self.pos + 1 : end], end + 1
                return self._hex(digits)
            return self._code_point(4)
        if char == "\r" and self.peek() == "\n":
            self.pos += 1
        if char in ("\n", "\r", "\u2028", "\u2029"):
            return ""
        return _ESCAPES.get(char, char)

    def _code_point(self, width: int) -> str:
        digits = self.text[self.pos : self.pos + width]
        self.pos += width
        return self._hex(digits) if len(digits) == width else self._hex("")

    def _hex(self, digits: str) -> str:
        try:
            return chr(int(digits, 16))
        except ValueError:
            raise self.error("expected a valid hexadecimal escape", self.pos - 1) from None

    def template(self) -> str | None:
        """A `…` template at the cursor: its text, or ``None`` when it interpolates ``${}``."""
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        interpolated = False
        while True:
            char = self.peek()
            if not char:
                raise self.error("expected ` to close the template literal started", start)
            self.pos += 1
            if char == "`":
                return None if interpolated else "".join(parts)
            if char == "\\":
                parts.append(self._escape())
            elif char == "$" and self.peek() == "{":
                interpolated = True
                self.pos += 1
                self.skip_code("}")
                self.pos += 1
            else:
                parts.append(char)

    def regex(self) -> None:
        """Skip a /regular expression/flags at the cursor."""
        start = self.pos
        self.pos += 1
        in_class = False
        while (char := self.peek()) not in ("", "\n"):
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char in "[]":
                in_class = char == "["
            elif char == "/" and not in_class:
                self.identifier()
                return
        raise self.error("expected / to close the regular expression", start)

    def skip_code(self, stops: str) -> int:
        """Skip an expression up to a depth-0 char in ``stops``; returns where its text ends."""
        depth: list[str] = []
        end = self.pos
        previous = ""
        operand = False
        while True:
            self.skip_trivia()
            char = self.peek()
            if not char:
                closers = " or ".join(f"`{c}`" for c in (depth[-1:] or stops))
                raise self.error(f"expected {closers} to end the expression")
            if not depth and char in stops:
                return end
            start, top = self.pos, not depth
            is_operand = self.skip_token(char, depth, previous)
            if top and operand and is_operand and char != "`":
                raise self.error("expected `,` between the two values", start)
            if not depth:
                operand = is_operand
            previous, end = self.text[self.pos - 1], self.pos

    def skip_token(self, char: str, depth: list[str] | None, previous: str) -> bool:
        """Skip one token; True when it is an operand (a name, a literal, a closing bracket).

        Brackets are matched against ``depth`` unless it is ``None``.
        """
        if depth is not None and char in _CLOSERS:
            depth.append(_CLOSERS[char])
        elif depth is not None and char in ")]}":
            if not depth or depth[-1] != char:
                raise self.error("unbalanced brackets in code value")
            depth.pop()
        if char in "'\"":
            self.string()
        elif char == "`":
            self.template()
        elif char == "/" and previous in _REGEX_AFTER:
            self.regex()
        elif (word := self.identifier()) is not None:
            return word not in _OPERATOR_WORDS
        elif (number := _NUMBER.match(self.text, self.pos)) and number.group()[:1] != "-":
            self.pos = number.end()
        else:
            self.pos += 1
            return char in ")]}"
        return True


def _find_export(cursor: _Cursor) -> int | None:
    """Where the exported value starts (after ``export default`` / ``module.exports =``)."""
    previous = ""
    while True:
        cursor.skip_trivia()
        char = cursor.peek()
        if not char:
            return None
        word = cursor.identifier()
        if word == "export" and _followed_by(cursor, r"\s*default\b"):
            return cursor.pos
        if word == "module" and _followed_by(cursor, r"\s*\.\s*exports\s*=(?!=)"):
            return cursor.pos
        if word is None:
            cursor.skip_token(char, None, previous)
        previous = cursor.text[cursor.pos - 1]


def _followed_by(cursor: _Cursor, pattern: str) -> bool:
    match = re.compile(pattern).match(cursor.text, cursor.pos)
    if match is None:
        return False
    cursor.pos = match.end()
    return True


def _exported_object(cursor: _Cursor, depth: int) -> dict[str, Any]:
    """The object at an export: ``{…}``, ``({…})``, ``defineModel({…})`` or a const's name."""
    cursor.skip_trivia()
    start = cursor.pos
    if cursor.peek() == "{":
        return _object(cursor)
    if cursor.peek() == "(":
        cursor.pos += 1
        value = _exported_object(cursor, depth)
        cursor.expect(")", "`)`")
        return value
    name = _member_chain(cursor)
    if name is None:
        raise cursor.error("expected an object literal `{ ... }` after the export")
    cursor.skip_trivia()
    if cursor.peek() == "(":
        cursor.pos += 1
        value = _exported_object(cursor, depth)
        cursor.skip_trivia()
        if cursor.peek() != ")":  # `as const`, further arguments
            cursor.skip_code(")")
        cursor.expect(")", f"`)` to close {name}(...)")
        return value
    if depth > 3 or "." in name:
        raise cursor.error("expected an object literal `{ ... }` after the export", start)
    cursor.pos = _declaration(cursor, name, start)
    return _exported_object(cursor, depth + 1)


def _member_chain(cursor: _Cursor) -> str | None:
    names: list[str] = []
    while (word := cursor.identifier()) is not None:
        names.append(word)
        if not _followed_by(cursor, r"\s*\.\s*"):
            break
    return ".".join(names) or None


def _declaration(cursor: _Cursor, name: str, at: int) -> int:
    """Where the value of ``const name = …`` (or let/var, maybe typed) starts."""
    pattern = re.compile(rf"\b(?:const|let|var)\s+{re.escape(name)}\b\s*(?::[^=;]+)?=(?![=>])")
    match = pattern.search(cursor.text)
    if match is None:
        raise cursor.error(f"expected an object literal, or a `const {name} = {{ ... }}`", at)
    return match.end()


def _object(cursor: _Cursor) -> dict[str, Any]:
    """An object literal at the cursor (which is on ``{``)."""
    cursor.pos += 1
    result: dict[str, Any] = {}
    while True:
        cursor.skip_trivia()
        if cursor.peek() == "}":
            cursor.pos += 1
            return result
        start = cursor.pos
        key = _key(cursor)
        if key in result:
            raise cursor.error(f"property {key!r} is given twice; expected one", start)
        result[key] = _property_value(cursor, key, start)
        cursor.skip_trivia()
        if cursor.peek() == ",":
            cursor.pos += 1
        elif cursor.peek() != "}":
            raise cursor.error("expected `,` or `}` after the property value")


def _key(cursor: _Cursor) -> str:
    char = cursor.peek()
    if char in "'\"" and char:
        return cursor.string()
    if cursor.startswith("..."):
        raise cursor.error("expected a property (spread `...` is code and cannot be read)")
    word = cursor.identifier()
    if word is not None:
        return word
    match = _NUMBER.match(cursor.text, cursor.pos)
    if match is not None and match.group() and not match.group().startswith("-"):
        cursor.pos = match.end()
        return str(_number(match.group()))
    raise cursor.error("expected a property name")


def _property_value(cursor: _Cursor, key: str, start: int) -> Any:
    cursor.skip_trivia()
    char = cursor.peek()
    if char == ":":
        cursor.pos += 1
        return _value(cursor)
    if char == "(":  # method shorthand: `rule(value) { ... }`
        return RawCode(cursor.text[start : cursor.skip_code(",}")])
    if char in ",}":  # shorthand property `{ name }` refers to a variable: code
        return RawCode(key)
    raise cursor.error(f"expected `:` after the property name {key!r}")


def _value(cursor: _Cursor) -> Any:
    """A literal value, or the exact text of a code value as :class:`RawCode`."""
    cursor.skip_trivia()
    start = cursor.pos
    char = cursor.peek()
    if not char or char in ",)]}:":
        raise cursor.error("expected a value")
    if cursor.startswith("..."):
        raise cursor.error("expected a value (spread `...` is code and cannot be read)")
    found, value = _literal(cursor)
    if found and _ends_value(cursor):
        return value
    cursor.pos = start
    code = cursor.text[start : cursor.skip_code(",)]}")]
    if cursor.inline and _CHAIN_START.match(code):
        code = _ARGUMENT_NAME.sub(lambda m: _constant_text(cursor, m), code)
    return RawCode(code)


def _constant_text(cursor: _Cursor, match: re.Match[str]) -> str:
    """The literal text of the ``const`` a chain argument names (else the name unchanged)."""
    name = match.group(2)
    pattern = re.compile(rf"\bconst\s+{re.escape(name)}\b\s*(?::[^=;]+)?=(?![=>])")
    declaration = pattern.search(cursor.text)
    if name in _LITERALS or declaration is None:
        return match.group()
    reader = _Cursor(cursor.text, cursor.source, inline=False)
    reader.pos = declaration.end()
    reader.skip_trivia()
    start = reader.pos
    try:
        found, value = _literal(reader)
    except SchemaError:
        return match.group()
    if not found or _holds_code(value):
        return match.group()
    return f"{match.group(1)}{cursor.text[start : reader.pos]}"


def _holds_code(value: Any) -> bool:
    if isinstance(value, RawCode):
        return True
    if isinstance(value, dict):
        return any(_holds_code(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_code(v) for v in value)
    return False


def parse_call_chain(
    text: str, *, source: str = "<code>"
) -> tuple[str, list[tuple[str, list[Any]]]]:
    """The root name and the ``(method, arguments)`` calls of a chain such as a validator.

    >>> parse_call_chain("schema.string().minLength(3)")
    ('schema', [('string', []), ('minLength', [3])])

    Arguments are literals; a code argument (a regular expression, a function) is
    :class:`RawCode`. Anything but ``name.method(...).method(...)`` is a :class:`SchemaError`.
    """
    cursor = _Cursor(text, source, inline=False)
    cursor.skip_trivia()
    root = cursor.identifier()
    if root is None:
        raise cursor.error("expected a call chain such as schema.string().email()")
    calls: list[tuple[str, list[Any]]] = []
    while True:
        cursor.skip_trivia()
        if not cursor.peek():
            return root, calls
        cursor.expect(".", "`.method(...)`")
        cursor.skip_trivia()
        method = cursor.identifier()
        if method is None:
            raise cursor.error("expected a method name after `.`")
        cursor.expect("(", f"`(` after .{method}")
        calls.append((method, _arguments(cursor)))


def _arguments(cursor: _Cursor) -> list[Any]:
    """Call arguments up to and including the closing ``)``."""
    arguments: list[Any] = []
    while True:
        cursor.skip_trivia()
        if cursor.peek() == ")":
            cursor.pos += 1
            return arguments
        arguments.append(_value(cursor))
        cursor.skip_trivia()
        if cursor.peek() == ",":
            cursor.pos += 1
        elif cursor.peek() != ")":
            raise cursor.error("expected `,` or `)` after the argument")


def _literal(cursor: _Cursor) -> tuple[bool, Any]:
    char = cursor.peek()
    if char == "{":
        return True, _object(cursor)
    if char == "[":
        return True, _array(cursor)
    if char in "'\"":
        return True, cursor.string()
    if char == "`":
        text = cursor.template()
        return text is not None, text
    word = cursor.identifier()
    if word is not None:
        return word in _LITERALS, _LITERALS.get(word)
    match = _NUMBER.match(cursor.text, cursor.pos)
    if match is not None and match.group() not in ("", "-"):
        cursor.pos = match.end()
        return True, _number(match.group())
    return False, None


def _ends_value(cursor: _Cursor) -> bool:
    """After a literal: the value ends here (``as const`` / ``satisfies T`` are skipped)."""
    cursor.skip_trivia()
    if not cursor.peek() or cursor.peek() in ",)]}":
        return True
    if _followed_by(cursor, r"(?:as|satisfies)\b"):
        cursor.skip_code(",)]}")
        return True
    return False


def _array(cursor: _Cursor) -> list[Any]:
    cursor.pos += 1
    items: list[Any] = []
    while True:
        cursor.skip_trivia()
        if cursor.peek() == "]":
            cursor.pos += 1
            return items
        items.append(_value(cursor))
        cursor.skip_trivia()
        if cursor.peek() == ",":
            cursor.pos += 1
        elif cursor.peek() != "]":
            raise cursor.error("expected `,` or `]` after the array element")


def _number(text: str) -> int | float:
    text = text.replace("_", "").removesuffix("n")
    negative = text.startswith("-")
    digits = text.lstrip("-")
    if digits[:2].lower() in ("0x", "0o", "0b"):
        value: int | float = int(digits, 0)
    elif any(c in digits for c in ".eE"):
        value = float(digits)
    else:
        value = int(digits)
    return -value if negative else value
