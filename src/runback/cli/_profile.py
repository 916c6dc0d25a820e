"""The profile options (`--profile`, `--hr-max`, `--hr-rest`, `--sex`, `--threshold-pace`, `--tz`) as the library takes them."""

from __future__ import annotations

import argparse
from pathlib import Path

from runback.errors import OptionError
from runback.load import Profile, parse_pace


def given_profile(args: argparse.Namespace) -> tuple[Profile | None, Path | None]:
    """(the values given on the command line, the ``--profile`` file), for every command that computes load.

    The library decides what wins (given > profile file > estimate):
    :func:`runback.load.profile.resolve_store_profiles`.
    """
    if args.sex is not None and args.sex not in ("male", "female"):
        raise OptionError(f"--sex must be male or female, not {args.sex!r}")
    pace = parse_pace(args.threshold_pace) if args.threshold_pace is not None else None
    given = Profile.given(sex=args.sex, hr_max_bpm=args.hr_max, hr_rest_bpm=args.hr_rest,
                          threshold_pace_s_per_km=pace, timezone=args.tz)
    profile_file = Path(args.profile) if args.profile is not None else None
    return given, profile_file
