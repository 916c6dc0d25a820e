"""The pain journal and what runback does with it.

:mod:`runback.pain.journal` keeps self-reported back pain safely in the store;
:mod:`runback.pain.rules` raises the journal rules (each declared there, beside its
function: see ``runback.model.RULES``); :mod:`runback.pain.analysis` sets pain
against the load, as associations only.

The names below load their module on first use (PEP 562): ``runback pain add``
needs the journal only, not the rules and the analysis (numpy).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from runback.pain.analysis import pain_vs_load, spearman
    from runback.pain.journal import (
        CSV_COLUMNS,
        CSV_COLUMNS_DOC,
        add_entry,
        apply_journal_rpe,
        import_journal_csv,
        make_entry,
        parse_journal_csv,
        read_journal,
        write_template,
    )
    from runback.pain.rules import (
        PAIN_RULES,
        pain_during_run,
        pain_flags,
        pain_high,
        pain_next_morning,
        pain_persistent,
        pain_rising,
        stress_or_poor_sleep,
    )

_HOMES = {
    **dict.fromkeys(("pain_vs_load", "spearman"), "runback.pain.analysis"),
    **dict.fromkeys(
        ("CSV_COLUMNS", "CSV_COLUMNS_DOC", "add_entry", "apply_journal_rpe", "import_journal_csv", "make_entry",
         "parse_journal_csv", "read_journal", "write_template"),
        "runback.pain.journal",
    ),
    **dict.fromkeys(
        ("PAIN_RULES", "pain_during_run", "pain_flags", "pain_high", "pain_next_morning", "pain_persistent",
         "pain_rising", "stress_or_poor_sleep"),
        "runback.pain.rules",
    ),
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "CSV_COLUMNS",
    "CSV_COLUMNS_DOC",
    "PAIN_RULES",
    "add_entry",
    "apply_journal_rpe",
    "import_journal_csv",
    "make_entry",
    "pain_during_run",
    "pain_flags",
    "pain_high",
    "pain_next_morning",
    "pain_persistent",
    "pain_rising",
    "pain_vs_load",
    "parse_journal_csv",
    "read_journal",
    "spearman",
    "stress_or_poor_sleep",
    "write_template",
]
