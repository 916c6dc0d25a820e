"""`emit`: the table is for people (narrow, messages whole); CSV and JSON carry every column."""

from __future__ import annotations

import io
import json

import polars as pl

from runback import schema
from runback.cli._options import emit

LONG = "This run was 35% longer than your longest run in the last 30 days. " * 4


def _flags() -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame({"athlete": ["anna"], "rule": ["session_spike"], "value": [0.35], "message_en": [LONG]}),
        schema.FLAGS,
    )


def test_table_shows_only_the_chosen_columns_and_whole_messages() -> None:
    out = io.StringIO()
    emit(_flags(), "table", out, table_columns=("athlete", "rule", "message_en"))
    text = out.getvalue()
    assert "session_spike" in text and "evidence" not in text and "message_nl" not in text
    # the message wraps over lines but is never cut short
    words = " ".join(line.strip(" |") for line in text.splitlines()[2:])
    assert " ".join(words.split()).endswith(LONG.strip().split()[-1])
    assert "…" not in text and "..." not in text


def test_csv_and_json_keep_every_column() -> None:
    out = io.StringIO()
    emit(_flags(), "json", out, table_columns=("athlete",))
    rows = json.loads(out.getvalue())
    assert list(rows[0]) == list(schema.FLAGS)
    out = io.StringIO()
    emit(_flags(), "csv", out, table_columns=("athlete",))
    assert out.getvalue().splitlines()[0].split(",") == list(schema.FLAGS)
