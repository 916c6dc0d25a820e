"""runback: does my training pattern look like the kind that goes with low-back overload?

The public API: readers return polars frames whose columns are defined in
:mod:`runback.schema`; the store keeps them as Parquet; the load model and the
pain journal turn them into flags; the reports show them.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing slows every command's start
if TYPE_CHECKING:  # the names, for mypy and IDEs; at run time they load on first use
    from typing import Any

    from runback import schema
    from runback.errors import (
        FileError,
        JournalError,
        NotAnActivityError,
        OptionError,
        RunbackError,
        StoreError,
        UnreadableFileError,
        UnsupportedFormatError,
    )
    from runback.io import Frames, ImportSummary, read, read_gpx, read_report, read_tcx
    from runback.io.fit import read_fit
    from runback.load import Profile, acwr, daily_load, estimate_profile, monotony, weekly_load
    from runback.model import flags
    from runback.load.pmc import pmc  # the function (runback.load.pmc is also a module)
    from runback.pain import (
        add_entry,
        apply_journal_rpe,
        import_journal_csv,
        pain_flags,
        pain_vs_load,
        parse_journal_csv,
        read_journal,
        write_template,
    )
    from runback.report import build_runner_report, runner_report, write_runner_report, write_team_report
    from runback.samples import sample_data_dir
    from runback.store import Store, open_store

_HOMES: dict[str, str] = {
    "FileError": "runback.errors",
    "Frames": "runback.io",
    "ImportSummary": "runback.io",
    "JournalError": "runback.errors",
    "NotAnActivityError": "runback.errors",
    "OptionError": "runback.errors",
    "Profile": "runback.load",
    "RunbackError": "runback.errors",
    "Store": "runback.store",
    "StoreError": "runback.errors",
    "UnreadableFileError": "runback.errors",
    "UnsupportedFormatError": "runback.errors",
    "acwr": "runback.load",
    "add_entry": "runback.pain",
    "apply_journal_rpe": "runback.pain",
    "build_runner_report": "runback.report",
    "daily_load": "runback.load",
    "estimate_profile": "runback.load",
    "flags": "runback.model",
    "import_journal_csv": "runback.pain",
    "monotony": "runback.load",
    "open_store": "runback.store",
    "pain_flags": "runback.pain",
    "pain_vs_load": "runback.pain",
    "parse_journal_csv": "runback.pain",
    "pmc": "runback.load",
    "read": "runback.io",
    "read_fit": "runback.io.fit",
    "read_gpx": "runback.io",
    "read_journal": "runback.pain",
    "read_report": "runback.io",
    "read_tcx": "runback.io",
    "runner_report": "runback.report",
    "sample_data_dir": "runback.samples",
    "schema": "runback.schema",
    "weekly_load": "runback.load",
    "write_runner_report": "runback.report",
    "write_team_report": "runback.report",
    "write_template": "runback.pain",
}
"""Each public name and the module it lives in: ``import runback`` loads none of them
(polars, numpy, plotly), so the command line starts fast; ``runback.flags`` loads
runback.load on first use (PEP 562)."""


_SUBMODULES = (
    "athletes", "days", "errors", "files", "fmt", "io", "load", "model", "pain", "registry", "report", "samples",
    "sports", "store",
)
"""Subpackages that ``import runback`` used to load eagerly: ``runback.load.flags`` keeps working."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name) or (f"{__name__}.{name}" if name in _SUBMODULES else None)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module(home)
    value = module if home == f"{__name__}.{name}" else getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


from runback._version import __version__  # noqa: E402  (a tiny module: costs nothing at start-up)

__all__ = [
    "FileError",
    "Frames",
    "ImportSummary",
    "JournalError",
    "NotAnActivityError",
    "OptionError",
    "Profile",
    "RunbackError",
    "Store",
    "StoreError",
    "UnreadableFileError",
    "UnsupportedFormatError",
    "acwr",
    "add_entry",
    "apply_journal_rpe",
    "build_runner_report",
    "daily_load",
    "estimate_profile",
    "flags",
    "import_journal_csv",
    "monotony",
    "open_store",
    "pain_flags",
    "pain_vs_load",
    "parse_journal_csv",
    "pmc",
    "read",
    "read_fit",
    "read_gpx",
    "read_journal",
    "read_report",
    "read_tcx",
    "runner_report",
    "sample_data_dir",
    "schema",
    "weekly_load",
    "write_runner_report",
    "write_team_report",
    "write_template",
]
