"""The table/csv/json printer shared by the listing commands (imported only when one runs)."""

from __future__ import annotations

import enum
import sys
from collections.abc import Sequence
from typing import TextIO

import polars as pl

from runback.athletes import DEFAULT_ATHLETE


class OutputFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


__all__ = [
    "DEFAULT_ATHLETE",
    "OutputFormat",
    "emit",
]


def emit(
    df: pl.DataFrame,
    fmt: OutputFormat | str,
    out: TextIO | None = None,
    *,
    table_columns: Sequence[str] | None = None,
) -> None:
    """Print ``df`` as a table, CSV, or JSON (a list of objects keyed by column name).

    ``table_columns`` narrows only the table, which a person reads in a terminal;
    CSV and JSON always carry every column.
    """
    out = out or sys.stdout
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.table and table_columns is not None:
        df = df.select(table_columns)
    if fmt is OutputFormat.json:
        out.write(df.write_json())
        out.write("\n")
    elif fmt is OutputFormat.csv:
        out.write(df.write_csv())
    else:
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_width_chars=200,
            fmt_str_lengths=2000,
            tbl_formatting="ASCII_MARKDOWN",
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
        ):
            out.write(f"{df}\n")
