"""Warnings that point at the user's line, however deep inside the library they are raised.

A fixed ``stacklevel`` breaks whenever a call path changes (a sync terminal, its async twin, a
relation loading through the builder...). :func:`warn_at_caller` walks out of the package's
own frames and blames the first frame outside it.
"""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def caller_stacklevel() -> int:
    """The ``stacklevel`` (as for :func:`warnings.warn` called here) of the first frame
    outside this package."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """``warnings.warn(message, category)`` blaming the user's line."""
    warnings.warn(message, category, stacklevel=caller_stacklevel())
