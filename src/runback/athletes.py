"""Athlete names: the default, and the one rule a name must follow.

A name becomes a partition folder (``athlete=<name>``) in the store, so it may
hold no path separators, ``=``, control characters, leading dot or surrounding
spaces.  This module sits at the bottom of the pipeline: readers, the store,
the journal and the CLI all use it.
"""

from __future__ import annotations

import re

from runback.errors import OptionError

__all__ = ["DEFAULT_ATHLETE", "check_athlete"]

#: the athlete of a personal store when no name is given
DEFAULT_ATHLETE = "me"

_BAD_NAME = re.compile(r"[/\\=\x00-\x1f]")


def check_athlete(name: str) -> str:
    """An athlete name usable as a partition folder (``athlete=<name>``), or :class:`OptionError`."""
    if not name or not name.strip() or name != name.strip() or name.startswith(".") or _BAD_NAME.search(name):
        raise OptionError(
            f"athlete name {name!r} cannot be used: no slashes, '=', control characters, "
            "leading dot or surrounding spaces"
        )
    if len(name) > 100:
        raise OptionError(f"athlete name is longer than 100 characters: {name[:20]!r}...")
    return name
