"""The store's Parquet as other engines read it: DuckDB (here), Spark and Dask's own readers.

Every text column is stored as Parquet's plain UTF-8 string (BYTE_ARRAY with
the STRING logical type and UTF8 converted type), the type Spark's Parquet
reader maps to StringType; nothing is stored as a view or binary type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from cohorts import make_cohort_store
from runback.store import STORED_ACTIVITIES, Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return make_cohort_store(tmp_path_factory.mktemp("cohort"), 12, days=28, samples_s=600)


def _rows(query: str) -> list[tuple[Any, ...]]:
    found = duckdb.sql(query)
    assert found is not None
    rows: list[tuple[Any, ...]] = found.fetchall()
    return rows


def _glob(store: Store, table: str) -> str:
    return f"{Path(store.root) / table}/**/*.parquet"


@pytest.mark.parametrize("table", ["activities", "samples"])
def test_text_columns_are_plain_utf8_strings(store: Store, table: str) -> None:
    rows = _rows(
        f"select name, type, logical_type, converted_type from parquet_schema('{_glob(store, table)}') "
        "where type = 'BYTE_ARRAY'"
    )
    assert rows, "no text column found"
    for name, physical, logical, converted in rows:
        assert (physical, converted) == ("BYTE_ARRAY", "UTF8"), name
        assert "String" in str(logical), name
    if table == "activities":
        text = {name for name, dtype in STORED_ACTIVITIES.items() if dtype == pl.String}
        assert {name for name, *_ in rows} == text


def test_duckdb_reads_the_cohort_as_polars_does(store: Store) -> None:
    found = _rows(
        f"select athlete, count(*), sum(distance_m), min(start_time_utc) "
        f"from read_parquet('{_glob(store, 'activities')}', hive_partitioning=true) group by athlete order by athlete"
    )
    acts = store.activities()
    want = acts.group_by("athlete").agg(pl.len(), pl.col("distance_m").sum(), pl.col("start_time_utc").min()).sort(
        "athlete"
    )
    assert len(found) == 12
    for (athlete, n, distance, first), row in zip(found, want.iter_rows(), strict=True):
        assert (athlete, n) == row[:2]
        assert distance == pytest.approx(row[2], rel=1e-12)
        assert first == row[3]
    types = dict(_rows(f"describe select * from read_parquet('{_glob(store, 'activities')}')")[i][:2]
                 for i in range(len(STORED_ACTIVITIES)))
    assert types["activity_id"] == "VARCHAR" and types["sport"] == "VARCHAR"
