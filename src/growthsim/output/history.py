"""The run history: every run with --actuals recorded in a local SQLite database (stdlib sqlite3), so
that a planner sees how each target's odds moved through the year (`growthsim history`).

One database file (default ``outputs/history.sqlite`` under the current folder; ``--history PATH``,
``--no-history``) holds the runs — when, which scenario and actuals files (with their sha256), as of
which period, draws and seed — and each target's P(hit) with its interval and its January odds.

The schema is versioned (``PRAGMA user_version``): a database of an older version is brought up to
date in one transaction, one of a newer version is refused (written by a newer growthsim), a file
that is not such a database is named. Each run is written in one transaction, so two runs writing at
once are both recorded whole (SQLite locks the file; a writer waits up to ``TIMEOUT`` seconds) and
Ctrl-C or a full disk mid-write leaves the history as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from growthsim._version import __version__
from growthsim.engine.summary import Summary
from growthsim.i18n import _
from growthsim.output.staging import OutputError
from growthsim.scenario.diagnostics import shown_path
from growthsim.stats.intervals import Probability

__all__ = ["DEFAULT_HISTORY", "SCHEMA_VERSION", "Recorded", "check_history", "read_history", "record_run"]

DEFAULT_HISTORY = Path("outputs") / "history.sqlite"
SCHEMA_VERSION = 1
TIMEOUT = 30.0  # seconds a writer waits for another to finish

_SCHEMA = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,            -- UTC, ISO 8601
        growthsim_version TEXT NOT NULL,
        scenario_name TEXT NOT NULL,
        scenario_path TEXT,
        scenario_sha256 TEXT,
        actuals_path TEXT,
        actuals_sha256 TEXT,
        as_of_first INTEGER,              -- the months the actuals cover: 1 and 6 for 1—6月
        as_of_last INTEGER,
        draws INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        method TEXT NOT NULL
    )""",
    """CREATE TABLE odds (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        indicator TEXT NOT NULL,
        name TEXT NOT NULL,
        target TEXT NOT NULL,             -- as the report writes it
        p_hit REAL NOT NULL,
        ci_low REAL NOT NULL,
        ci_high REAL NOT NULL,
        p_hit_january REAL,               -- the same target's odds without the actuals
        PRIMARY KEY (run_id, indicator)
    )""",
    "CREATE INDEX runs_by_scenario ON runs (scenario_sha256, as_of_last)",
)
# version -> the statements that bring a database of the version before up to it
_MIGRATIONS: dict[int, tuple[str, ...]] = {1: _SCHEMA}


@dataclass(frozen=True)
class Recorded:
    """One recorded target's odds at one run."""

    run_id: int
    created: str
    scenario_name: str
    scenario_sha256: str | None
    actuals_path: str | None
    as_of: tuple[int, int] | None  # (first, last) month
    indicator: str
    name: str
    target: str
    p_hit: float
    ci: tuple[float, float]
    p_hit_january: float | None


@contextmanager
def _opened(path: Path) -> Iterator[sqlite3.Connection]:
    """The database, brought to SCHEMA_VERSION; OutputError when it cannot be."""
    label = shown_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=TIMEOUT, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise OutputError(_("cannot open the run history {path}: {error}").format(path=label, error=error)) from None
    with closing(connection):
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise OutputError(
                    _(
                        "the run history {path} was written by a newer growthsim (its version {version}, this one "
                        "reads {ours}): update growthsim, or give another file with --history"
                    ).format(path=label, version=version, ours=SCHEMA_VERSION)
                )
            if version < SCHEMA_VERSION:
                _migrate(connection, version)
            yield connection
        except sqlite3.DatabaseError as error:
            raise OutputError(
                _(
                    "{path} is not a growthsim run history ({error}): give another file with --history, or --no-history"
                ).format(path=label, error=error)
            ) from None


def _migrate(connection: sqlite3.Connection, version: int) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0]  # another run may have done it
        for step in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[step]:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def check_history(path: Path) -> None:
    """Open (creating or updating) the history before a run, so that a bad file fails at once."""
    with _opened(path):
        pass


def record_run(path: Path, summary: Summary, january: dict[str, Probability] | None) -> int:
    """Record a run with actuals: one row for the run, one per target. Returns the run's id."""
    scenario, actuals = summary.scenario, summary.scenario.actuals
    as_of = actuals.as_of if actuals is not None else None
    before = january or {}
    with _opened(path) as connection:
        connection.execute("BEGIN IMMEDIATE")  # the whole run or nothing, whoever else is writing
        try:
            cursor = connection.execute(
                "INSERT INTO runs (created, growthsim_version, scenario_name, scenario_path, scenario_sha256, "
                "actuals_path, actuals_sha256, as_of_first, as_of_last, draws, seed, method) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    __version__,
                    scenario.name,
                    scenario.path,
                    scenario.sha256,
                    actuals.label if actuals is not None else None,
                    actuals.sha256 if actuals is not None else None,
                    as_of.first if as_of is not None else None,
                    as_of.last if as_of is not None else None,
                    summary.n_draws,
                    summary.seed,
                    summary.method,
                ),
            )
            run_id = cursor.lastrowid
            assert run_id is not None  # an INSERT into a rowid table has one
            connection.executemany(
                "INSERT INTO odds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        row.indicator.id,
                        row.indicator.name,
                        row.indicator.target.written or row.indicator.target.text,
                        row.hit.p,
                        row.hit.ci[0],
                        row.hit.ci[1],
                        before[row.indicator.id].p if row.indicator.id in before else None,
                    )
                    for row in summary.indicators
                    if row.hit is not None and row.indicator.target is not None
                ],
            )
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return run_id


def read_history(path: Path, scenario_sha256: str | None = None) -> list[Recorded]:
    """Every recorded target's odds (of one scenario file's runs, by its sha256), oldest first."""
    if not path.exists():
        return []
    query = (
        "SELECT r.id, r.created, r.scenario_name, r.scenario_sha256, r.actuals_path, r.as_of_first, r.as_of_last, "
        "o.indicator, o.name, o.target, o.p_hit, o.ci_low, o.ci_high, o.p_hit_january "
        "FROM runs r JOIN odds o ON o.run_id = r.id"
    )
    parameters: tuple = ()
    if scenario_sha256 is not None:
        query += " WHERE r.scenario_sha256 = ?"
        parameters = (scenario_sha256,)
    query += " ORDER BY r.as_of_last, r.id, o.rowid"  # a run's targets in the scenario's order
    with _opened(path) as connection:
        return [
            Recorded(
                run_id,
                created,
                name,
                sha,
                actuals_path,
                (first, last) if first is not None else None,
                indicator,
                indicator_name,
                target,
                p_hit,
                (low, high),
                january,
            )
            for (
                run_id,
                created,
                name,
                sha,
                actuals_path,
                first,
                last,
                indicator,
                indicator_name,
                target,
                p_hit,
                low,
                high,
                january,
            ) in connection.execute(query, parameters)
        ]
