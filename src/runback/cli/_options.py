"""The table/csv/json printer shared by the listing commands (imported only when one runs)."""

from __future__ import annotations

import enum
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import polars as pl

from runback.athletes import DEFAULT_ATHLETE
from runback.errors import OptionError

if TYPE_CHECKING:
    from runback.store import Store


class OutputFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


__all__ = [
    "DEFAULT_ATHLETE",
    "FORMULA_START",
    "OutputFormat",
    "csv_safe",
    "require_athlete",
    "emit",
]

FORMULA_START = r"^[=+\-@\t\r]"
"""Text starting with one of these a spreadsheet may run as a formula (OWASP's "CSV injection")."""


def require_athlete(st: Store, athlete: str | None) -> None:
    """Stop with the stored athletes' names when ``athlete`` is given but not in ``st``.

    A typo must not read as "this runner has no runs"; every listing command says it the same way.
    """
    if athlete is None:
        return
    athletes = st.athletes()
    if athlete not in athletes:
        known = ", ".join(athletes) or "none yet"
        raise OptionError(f"no athlete {athlete!r} in the store {st.root} (athletes: {known})")


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text value that a spreadsheet would run as a formula prefixed by ``'``.

    Only text columns: numbers (a negative one too) stay numbers.  The
    apostrophe makes Excel, LibreOffice and Google Sheets show the value as
    text; it is the prefix OWASP recommends.
    """
    text = [name for name, dtype in df.schema.items() if dtype == pl.String]
    return df.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )


def emit(
    df: pl.DataFrame,
    fmt: OutputFormat | str,
    out: TextIO | None = None,
    *,
    table_columns: Sequence[str] | None = None,
) -> None:
    """Print ``df`` as a table, CSV, or JSON (a list of objects keyed by column name).

    ``table_columns`` narrows only the table, which a person reads in a terminal;
    CSV and JSON always carry every column.  CSV text that a spreadsheet
    would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
    first) is prefixed with ``'`` (:func:`csv_safe`).
    """
    out = out or sys.stdout
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.table and table_columns is not None:
        df = df.select(table_columns)
    if fmt is OutputFormat.json:
        out.write(df.write_json())
        out.write("\n")
    elif fmt is OutputFormat.csv:
        out.write(csv_safe(df).write_csv())
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
