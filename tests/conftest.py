"""Shared fixtures: the real-data corpus beside this repository."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def corpus_rows() -> list[dict[str, str]]:
    """Rows of ../shared/corpus/MANIFEST.tsv, or [] where the corpus is absent."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; tests that need it skip with a reason where it is absent."""
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"real-data corpus not found at {CORPUS} (clone with ../shared beside it)")
    return CORPUS
