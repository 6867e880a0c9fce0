"""Write a run's files -- all of them or none.

``StagedOutput`` collects every file in a hidden staging folder beside the destination and moves it
into place only when the run has succeeded; on any failure the staging folder is removed, so a
failed run never leaves a half-written summary behind. CSV files are UTF-8 with a byte-order mark,
which Excel on Chinese Windows needs to show the characters correctly.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
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
from growthsim.output.workbook import write_compare_workbook, write_run_workbook

__all__ = [
    "COMPARE_CHARTS",
    "COMPARE_OUTPUT",
    "RUN_CHARTS",
    "RUN_OUTPUT",
    "SENSITIVITY_CHARTS",
    "SENSITIVITY_OUTPUT",
    "DrawWriter",
    "OutputError",
    "StagedOutput",
    "check_single_file",
    "compare_to_folder",
    "file_sha256",
    "manifest",
    "simulate_to_folder",
    "write_single_file",
]

# What each command writes into its folder. An existing folder is replaced only when everything in it
# is what the same command writes (an earlier run of it): never another command's results, never a
# planner's own files, so that one folder per purpose stays safe to reuse.
_CHART = r"\.(png|svg)"
RUN_OUTPUT = re.compile(rf"summary\.(csv|json|xlsx)|manifest\.json|draws\.csv|(overview|outcome-[A-Za-z0-9_]+){_CHART}")
COMPARE_OUTPUT = re.compile(rf"compare\.(csv|json|xlsx)|manifest\.json|compare-overview{_CHART}")
SENSITIVITY_OUTPUT = re.compile(rf"sensitivity\.(csv|json|xlsx)|manifest\.json|tornado-[A-Za-z0-9_]+{_CHART}")
RUN_CHARTS = re.compile(rf"(overview|outcome-[A-Za-z0-9_]+){_CHART}")
COMPARE_CHARTS = re.compile(rf"compare-overview{_CHART}")
SENSITIVITY_CHARTS = re.compile(rf"tornado-[A-Za-z0-9_]+{_CHART}")
_ANY_OUTPUT = (RUN_OUTPUT, COMPARE_OUTPUT, SENSITIVITY_OUTPUT)
EXCEL_MAX_ROWS = 1_048_576


class OutputError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


class StagedOutput:
    """A folder whose files appear together on ``commit()`` or not at all.

    The destination must not exist, or hold only files this command writes (``replaces``: an
    earlier run of it, replaced as a whole) none of which was changed since (checked against the
    earlier run's manifest): another command's results, a planner's own files or an edited
    summary are refused rather than mixed or lost. ``option`` names the option in messages.
    """

    def __init__(self, destination: str | Path, replaces: re.Pattern = RUN_OUTPUT, option: str = "--out"):
        self.destination = Path(destination)
        if self.destination.exists():
            if not self.destination.is_dir():
                raise OutputError(_("{destination} exists and is not a folder").format(destination=self.destination))
            _check_replaceable(self.destination, replaces, option)
        self._created_parents: list[Path] = []
        parent = self.destination.parent
        missing = []
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        try:
            for folder in reversed(missing):
                folder.mkdir()
                self._created_parents.append(folder)
            prefix = f".{self.destination.name}.partial-"
            self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.destination.parent))
            umask = os.umask(0)
            os.umask(umask)
            self.staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
        except OSError as exc:
            self._remove_created_parents()
            raise OutputError(
                _("cannot create the output folder {destination}: {strerror}").format(
                    destination=self.destination, strerror=exc.strerror
                )
            ) from None
        self.committed = False

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_text(self, name: str, text: str, bom: bool = False) -> None:
        with open(self.path(name), "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)

    def commit(self) -> None:
        """Move the staged files into place: a rename, so readers see the old set or the new one."""
        old = None
        if self.destination.exists():
            old = self.destination.with_name(f".{self.destination.name}.old-{os.getpid()}")
            os.rename(self.destination, old)
        try:
            os.rename(self.staging, self.destination)
        except OSError:
            if old is not None:  # put the earlier run back: the old set or the new one, never neither
                os.rename(old, self.destination)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.committed = True

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_created_parents()

    def _remove_created_parents(self) -> None:
        for folder in reversed(self._created_parents):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def __enter__(self) -> StagedOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            self.discard()


def check_single_file(path: str | Path, marker: str) -> None:
    """Raise OutputError unless ``path`` can take a file of ours: absent, or a file holding ``marker``
    (one we wrote before). Checked before a long run, so that it fails at once."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(
            _("{path} is a folder: give a file name, e.g. {value}").format(path=path, value=path / "report.html")
        )
    if path.exists():
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                head = f.read(4096)
        except OSError as exc:
            raise OutputError(_("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror)) from None
        if marker not in head:
            raise OutputError(
                _("{path} already exists and was not written by growthsim: choose another file name").format(path=path)
            )


def write_single_file(path: str | Path, text: str, marker: str) -> None:
    """Write ``text`` to ``path`` whole: into a temporary file beside it, then renamed into place, so
    that the file is the old one or the new one, never half written. Creates missing folders."""
    path = Path(path)
    check_single_file(path, marker)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    except OSError as exc:
        raise OutputError(_("cannot write {path}: {strerror}").format(path=path, strerror=exc.strerror)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(folder: Path, replaces: re.Pattern, option: str) -> None:
    names = sorted(p.name for p in folder.iterdir())
    foreign = [name for name in names if not replaces.fullmatch(name)]
    if foreign:
        listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        if all(any(kind.fullmatch(name) for kind in _ANY_OUTPUT) for name in foreign):
            raise OutputError(
                _(
                    "{folder} holds the output of another growthsim command ({listed}), which this one would replace: choose another folder for {option} (to keep a run's charts with its results, give --out and --plot the same folder)"
                ).format(folder=folder, listed=listed, option=option)
            )
        raise OutputError(
            _("{folder} already holds other files ({listed}); choose a new or empty folder for {option}").format(
                folder=folder, listed=listed, option=option
            )
        )
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return
    try:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return  # not a manifest we can read: nothing to compare with
    for name, digest in recorded.items():
        path = folder / name
        if path.is_file() and file_sha256(path) != digest:
            raise OutputError(
                _(
                    "{path} was changed after growthsim wrote it; save your version elsewhere (or delete it) before writing into {folder} again, or choose another folder for {option}"
                ).format(path=path, folder=folder, option=option)
            )


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


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(
    document: dict[str, Any], command_line: list[str], files: dict[str, str], chunk_size: int, elapsed_seconds: float
) -> dict[str, Any]:
    """What a run rests on, so it can be reproduced and checked: version, inputs, seed, outputs.

    ``document`` is the run's summary.json (one scenario) or compare.json (``scenarios``).
    """

    import scipy

    inputs: dict[str, Any] = {key: document[key] for key in ("scenario", "scenarios") if key in document}
    return {
        "growthsim_version": document["growthsim_version"],
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command_line": command_line,
        **inputs,
        "draws": document["draws"],
        "seed": document["seed"],
        "chunk_size": chunk_size,
        "elapsed_seconds": round(elapsed_seconds, 3),
        "language": language(),  # of the messages and tables: zh or en (the numbers do not depend on it)
        **{key: document[key] for key in ("method", "replicates", "correlation_method") if key in document},
        "reproduce": (
            "same growthsim version + scenario files + overrides + seed + draws + method give identical numbers"
        ),
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
) -> Summary:
    """Simulate and write summary.csv, summary.json, manifest.json (and draws.csv) into ``out``.

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
            summary_to_dict(summary),
            rows_to_csv(csv_rows(summary)),
            command_line or [],
            chunk_size,
            elapsed,
            extra=None if extra is None else lambda folder: extra(folder, summary),
            workbook=lambda path, record: write_run_workbook(path, summary, record),
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
