"""The pain journal and what runback does with it.

:mod:`runback.pain.journal` keeps self-reported back pain safely in the store;
:mod:`runback.pain.rules` raises the journal rules (``pain_during_run``,
``pain_next_morning``, ``pain_persistent``, ``stress_or_poor_sleep``);
:mod:`runback.pain.analysis` sets pain against the load, as associations only.
"""

from __future__ import annotations

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
    pain_next_morning,
    pain_persistent,
    stress_or_poor_sleep,
)

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
    "pain_next_morning",
    "pain_persistent",
    "pain_vs_load",
    "parse_journal_csv",
    "read_journal",
    "spearman",
    "stress_or_poor_sleep",
    "write_template",
]
