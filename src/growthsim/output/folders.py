"""What a command's output folder holds, written through ``staging`` (all of it or none): the
summary as CSV (UTF-8 with a byte-order mark, which Excel on Chinese Windows needs to show the
characters), JSON and a workbook; every draw as CSV on request; and the manifest that says what the
run rests on, so it can be reproduced and checked.
"""

from __future__ import annotations

import csv
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from growthsim.analysis.compare import compare
from growthsim.engine.evaluation import Outcomes
from growthsim.engine.model import Model
from growthsim.engine.run import DEFAULT_CHUNK_SIZE, simulate
from growthsim.engine.summary import Summary
from growthsim.i18n import _, language, pgettext
from growthsim.output.comparison import comparison_rows, comparison_to_dict
from growthsim.output.records import csv_rows, dumps, rows_to_csv, summary_to_dict
from growthsim.output.staging import (
    COMPARE_OUTPUT,
    RUN_OUTPUT,
    StagedOutput,
    file_sha256,
)
from growthsim.output.workbook import write_compare_workbook, write_run_workbook
from growthsim.stats.intervals import Probability

__all__ = [
    "DrawWriter",
    "compare_to_folder",
    "manifest",
    "simulate_to_folder",
]

EXCEL_MAX_ROWS = 1_048_576


class DrawWriter:
    """Streams every draw to CSV as the chunks pass: one row per draw, rates as fractions.

    Two header rows: the first in words for the planner (地区生产总值（增速）), the second the
    columns' ids for programs (``pandas.read_csv(path, header=1)``). Columns: ``draw``; for each
    indicator ``<id>.<growth|level|change>`` (what was drawn) and, for a flow with a baseline,
    ``<id>.level``; for each target ``<id>.hit`` (1 or 0).
    """

    def __init__(self, model: Model, stream: TextIO):

        self.model = model
        self.stream = stream
        columns, labels = ["draw"], [_("draw")]
        self.level_rows = []
        for indicator in model.indicators:
            columns.append(f"{indicator.id}.{indicator.metric}")
            labels.append(_("{name} ({what})").format(name=indicator.name, what=pgettext("metric", indicator.metric)))
        for row, indicator in enumerate(model.indicators):
            if indicator.kind == "flow" and indicator.baseline is not None:
                self.level_rows.append((row, indicator.baseline))
                columns.append(f"{indicator.id}.level")
                labels.append(
                    _("{name} ({what})").format(
                        name=indicator.name, what=_("level, {unit}").format(unit=indicator.unit)
                    )
                )
        for ref in model.targets:
            indicator = model.indicators[ref.row]
            columns.append(f"{indicator.id}.hit")
            labels.append(_("{name} ({what})").format(name=indicator.name, what=_("hit: 1, missed: 0")))
        self.columns = columns
        n_ind, n_lvl, n_tgt = len(model.indicators), len(self.level_rows), len(model.targets)
        self.formats = ["%d"] + ["%.10g"] * (n_ind + n_lvl) + ["%d"] * n_tgt

        csv.writer(stream, lineterminator="\n").writerow(labels)  # names may hold commas: quoted
        stream.write(",".join(columns) + "\n")

    def __call__(self, outcomes: Outcomes) -> None:
        n = outcomes.n
        drawn = outcomes.drawn
        table = np.empty((n, len(self.columns)))
        table[:, 0] = np.arange(outcomes.start, outcomes.start + n)
        k = 1 + drawn.shape[0]
        table[:, 1:k] = drawn.T
        for row, baseline in self.level_rows:
            table[:, k] = baseline * (1.0 + drawn[row])
            k += 1
        table[:, k:] = outcomes.hits.T
        np.savetxt(self.stream, table, fmt=self.formats, delimiter=",")


def manifest(
    document: dict[str, Any], command_line: list[str], files: dict[str, str], chunk_size: int, elapsed_seconds: float
) -> dict[str, Any]:
    """What a run rests on, so it can be reproduced and checked: version, inputs, seed, outputs.

    ``document`` is the run's summary.json (one scenario) or compare.json (``scenarios``).
    """

    import scipy

    inputs: dict[str, Any] = {key: document[key] for key in ("scenario", "scenarios", "actuals") if key in document}
    return {
        "growthsim_version": document["growthsim_version"],
        "draws_version": document["draws_version"],
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command_line": command_line,
        **inputs,
        "draws": document["draws"],
        "seed": document["seed"],
        "chunk_size": chunk_size,
        "elapsed_seconds": round(elapsed_seconds, 3),
        "language": language(),  # of the messages and tables: zh or en (the numbers do not depend on it)
        **{key: document[key] for key in ("method", "replicates", "correlation_method") if key in document},
        "reproduce": "same draws_version + scenario files + overrides + seed + draws + method give identical numbers",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "files": files,
    }


def finish_folder(
    staged: StagedOutput,
    name: str,
    document: dict[str, Any],
    csv_text: str,
    command_line: list[str],
    chunk_size: int,
    elapsed: float,
    extra=None,
    workbook=None,
) -> None:
    """Write NAME.csv (with BOM) and NAME.json, then manifest.json listing every file's sha256, and
    move the folder into place. ``extra(folder)`` may write more files first (charts);
    ``workbook(path, record)`` writes NAME.xlsx, with the run's record (the manifest but its files)."""

    staged.write_text(f"{name}.csv", csv_text, bom=True)
    staged.write_text(f"{name}.json", dumps(document))
    if extra is not None:
        extra(staged.staging)
    if workbook is not None:
        workbook(staged.path(f"{name}.xlsx"), manifest(document, command_line, {}, chunk_size, elapsed))
    files = {p.name: file_sha256(p) for p in sorted(staged.staging.iterdir())}
    staged.write_text("manifest.json", dumps(manifest(document, command_line, files, chunk_size, elapsed)))
    staged.commit()


def simulate_to_folder(
    model: Model,
    out: str | Path,
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    export_draws: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress=None,
    command_line: list[str] | None = None,
    extra=None,
    workers: int = 1,
    method: str = "mc",
    precision: float | None = None,
    january: dict[str, Probability] | None = None,
) -> Summary:
    """Simulate and write summary.csv, summary.json, manifest.json (and draws.csv) into ``out``.
    With actuals, ``january`` is each target's P(hit) without them (records.summary_to_dict).

    ``extra(folder, summary)`` may add files (charts) before the manifest is written. With
    ``precision``, ``n_draws`` is the most to draw (see engine.simulate).
    All files appear together when the run succeeds; if anything fails, nothing is left behind.
    Raises OutputError when the folder cannot be used, OSError when writing fails.
    """

    with StagedOutput(out, RUN_OUTPUT) as staged:
        started = time.perf_counter()
        if export_draws:
            with open(staged.path("draws.csv"), "w", encoding="utf-8-sig", newline="") as draws_file:
                summary = simulate(
                    model,
                    n_draws,
                    seed,
                    chunk_size=chunk_size,
                    progress=progress,
                    on_chunk=DrawWriter(model, draws_file),
                    method=method,
                )
        else:
            summary = simulate(
                model,
                n_draws,
                seed,
                chunk_size=chunk_size,
                progress=progress,
                workers=workers,
                method=method,
                precision=precision,
            )
        elapsed = time.perf_counter() - started

        finish_folder(
            staged,
            "summary",
            summary_to_dict(summary, january),
            rows_to_csv(csv_rows(summary, january)),
            command_line or [],
            chunk_size,
            elapsed,
            extra=None if extra is None else lambda folder: extra(folder, summary),
            workbook=lambda path, record: write_run_workbook(path, summary, record, january),
        )
    return summary


def compare_to_folder(
    scenarios,
    out: str | Path,
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress=None,
    command_line: list[str] | None = None,
    extra=None,
    material: float | None = None,
):
    """Compare scenarios and write compare.csv (long form), compare.json and manifest.json into ``out``
    (and what ``extra(folder, comparison)`` adds)."""

    with StagedOutput(out, COMPARE_OUTPUT) as staged:
        started = time.perf_counter()
        comparison = compare(scenarios, n_draws, seed, chunk_size=chunk_size, progress=progress, material=material)
        elapsed = time.perf_counter() - started
        finish_folder(
            staged,
            "compare",
            comparison_to_dict(comparison),
            rows_to_csv(comparison_rows(comparison), COMPARISON_COLUMNS),
            command_line or [],
            chunk_size,
            elapsed,
            extra=None if extra is None else lambda folder: extra(folder, comparison),
            workbook=lambda path, record: write_compare_workbook(path, comparison, record),
        )
    return comparison


COMPARISON_COLUMNS = ("scenario_no", "scenario", "indicator", "name", "target", "statistic", "value")
