"""Shared data of the transfer tests: items holding every DynamoDB attribute type."""

from decimal import Decimal
from typing import Any

#: Raw items (keys included) covering every attribute type and the encoding's edge cases.
EVERY_TYPE: list[dict[str, Any]] = [
    {
        "pk": "ITEM#1",
        "sk": "ITEM#1",
        "_et": "Sample",
        "s": "text ✓ «unicode»",
        "empty": "",
        "n": 42,
        "neg": -7,
        "big": 10**30,
        "dec": Decimal("1.50"),
        "exp": Decimal("1E+5"),
        "tiny": Decimal("-1.25E-7"),
        "t": True,
        "f": False,
        "nul": None,
        "b": b"\x00\xffbinary",
        "ss": {"b", "a", "c"},
        "ns": {3, 1, Decimal("2.5")},
        "bs": {b"y", b"x"},
        "l": [1, "two", None, [b"3"], {"k": Decimal("0.1")}],
        "m": {"nested": {"deep": [True, {"x": 1}]}, "z": "last"},
        "dollar": {"$binary": "not base64 at all"},
        "dollar_set": {"$set": [1, 2]},
        "numeric_text": "123",
        "json_text": '{"a":1}',
        "quoted": '"q"',
        "lines": "a\nb,c",
        "null_text": "null",
    },
    {"pk": "ITEM#2", "sk": "ITEM#2", "_et": "Sample", "s": "second", "n": 0},
    {"pk": "OTHER#1", "sk": "OTHER#1", "_et": "Other", "label": "x", "n": Decimal("3.14")},
    {"pk": "ITEM#1", "sk": "LINE#01", "_et": "Line", "qty": 2},
]
