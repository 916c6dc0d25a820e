"""The store is plain hive-partitioned Parquet: DuckDB reads what runback stored, no runback needed.

duckdb is in the test extra, so this never skips: a store DuckDB cannot read is a failure.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from runback.pain.journal import import_journal_csv, read_journal
from runback.samples import sample_data_dir
from runback.store import Store, open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two weeks of each sample runner (anna's FIT files, bram's GPX files) and both journals."""
    data = sample_data_dir()
    st = open_store(tmp_path_factory.mktemp("store"))
    st.import_paths(sorted((data / "anna").glob("2025-03-0*.fit")), athlete="anna", workers=1)
    st.import_paths(sorted((data / "bram").glob("2025-03-0*.gpx")), athlete="bram", workers=1,
                    timezone="Europe/Amsterdam")
    for athlete in ("anna", "bram"):
        import_journal_csv(st, data / athlete / "pain_journal.csv", athlete=athlete)
    return st


def _parquet(store: Store, table: str) -> str:
    return f"read_parquet('{Path(store.root) / table}/**/*.parquet', hive_partitioning=true)"


def test_duckdb_reads_the_activities(store: Store) -> None:
    rows = duckdb.sql(
        f"select athlete, count(*), round(sum(distance_m)) from {_parquet(store, 'activities')} "
        "group by athlete order by athlete"
    ).fetchall()
    acts = store.activities()
    expected = [
        (name, group.height, round(group["distance_m"].sum()))
        for (name,), group in sorted(acts.group_by("athlete"), key=lambda kv: str(kv[0][0]))
    ]
    assert [(a, n, round(d)) for a, n, d in rows] == expected
    assert {a for a, _, _ in rows} == {"anna", "bram"}


def test_duckdb_reads_the_samples_and_joins_them_to_activities(store: Store) -> None:
    rows = duckdb.sql(
        f"select a.athlete, count(*) from {_parquet(store, 'samples')} s "
        f"join {_parquet(store, 'activities')} a using (activity_id) group by a.athlete order by a.athlete"
    ).fetchall()
    samples = store.samples().join(store.activities().select("activity_id", "athlete"), on="activity_id")
    assert sum(n for _, n in rows) == store.samples().height > 0
    assert dict(rows) == dict(samples.group_by("athlete").len().iter_rows())


def test_duckdb_reads_the_pain_journal(store: Store) -> None:
    rows = duckdb.sql(
        f"select athlete, count(*), max(pain) from {_parquet(store, 'journal')} group by athlete order by athlete"
    ).fetchall()
    journal = read_journal(store)
    assert rows == [
        (name, group.height, group["pain"].max())
        for (name,), group in sorted(journal.group_by("athlete"), key=lambda kv: str(kv[0][0]))
    ]
