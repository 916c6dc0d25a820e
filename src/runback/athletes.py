"""Athlete names: the default, and the one rule a name must follow.

A name becomes a partition folder (``athlete=<name>``) in the store, so it may
hold no path separators, ``=``, control characters, leading dot or surrounding
spaces.  This module sits at the bottom of the pipeline: readers, the store,
the journal and the CLI all use it.
"""

from __future__ import annotations

import re

from runback.errors import OptionError

__all__ = ["DEFAULT_ATHLETE", "MAX_NAME_CHARS", "check_athlete"]

#: the athlete of a personal store when no name is given
DEFAULT_ATHLETE = "me"

#: longest athlete name: it is a folder name in the store and a column in every table
MAX_NAME_CHARS = 64

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_athlete(name: str) -> str:
    """``name`` if it can name an athlete everywhere, else an :class:`OptionError` saying why.

    One rule for every command: the name becomes a store folder
    (``athlete=<name>``) and a file name in team reports, and is matched
    exactly, so ``"anna "`` and ``"anna"`` would be two runners.
    """
    if not isinstance(name, str) or not name.strip():
        raise OptionError("athlete name is empty")
    problem = None
    if name != name.strip():
        problem = "it starts or ends with a space"
    elif _CONTROL.search(name):
        problem = "it holds a control character (a tab or line break?)"
    elif "/" in name or "\\" in name:
        problem = "it holds a path separator (/ or \\)"
    elif "=" in name:
        problem = "it holds '=' (the store uses athlete=<name> folders)"
    elif name.startswith("."):
        problem = "it starts with a dot"
    elif len(name) > MAX_NAME_CHARS:
        problem = f"it is longer than {MAX_NAME_CHARS} characters ({len(name)})"
    if problem:
        shown = name if len(name) <= 30 else name[:27] + "..."
        raise OptionError(f"athlete name {shown!r} cannot be used: {problem}")
    return name
