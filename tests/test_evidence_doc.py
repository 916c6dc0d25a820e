"""docs/evidence.md and the rule registry describe the same rules.

The registry (runback.model.RULES) is where a rule is declared; the evidence document is its account
for people. A rule added to one and not the other fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from runback.model import RULES

DOC = Path(__file__).resolve().parents[1] / "docs" / "evidence.md"


def _documented_ids() -> list[str]:
    return re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text(encoding="utf-8"), flags=re.M)


def test_every_declared_rule_has_a_row_in_the_evidence_document() -> None:
    documented = _documented_ids()
    assert len(documented) == len(set(documented)), "a rule has two rows"
    assert set(documented) == {rule.id for rule in RULES}


def test_each_row_gives_the_strength_the_rule_declares() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in RULES:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{rule.id}` |"))
        first_word = rule.strength.split()[0].split("/")[0].split("-")[0].rstrip(",;")
        assert first_word.lower() in row.lower(), (rule.id, rule.strength)
