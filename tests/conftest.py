"""Shared helpers for the test suite."""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import pytest

# The suite speaks Chinese, the default, whatever the machine's LANG: set before growthsim.cli is
# imported, since Typer builds its help text then. Tests of English output switch with --lang en.
os.environ["GROWTHSIM_LANG"] = "zh"

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "luolong-2023-baseline.toml"

HEADER = """\
[scenario]
name = "test"
base_year = 2022
target_year = 2023

[simulation]
draws = 20000
seed = 12345
"""


def scenario_text(body: str, header: str = HEADER) -> str:
    """A complete scenario: the standard header plus ``body`` (indicator sections), dedented."""
    return header + "\n" + textwrap.dedent(body)


def mc_tolerance(p: float, n: int, sigmas: float = 4.0) -> float:
    """Tolerance for an estimated probability: `sigmas` Monte Carlo standard errors (never 0)."""
    return sigmas * math.sqrt(max(p * (1 - p), 1.0 / n) / n)


@pytest.fixture
def write_scenario(tmp_path):
    """Write scenario text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Every test starts in Chinese; one that switches language (--lang en, i18n.use) leaves it so."""
    from growthsim.i18n import use

    use("zh")
    yield
    use("zh")


@pytest.fixture
def english():
    """For a test of a library message's English wording (its msgid): growthsim speaks English."""
    from growthsim.i18n import use

    use("en")


def with_actuals(scenario, *rows, persistence: float = 0.5):
    """``scenario`` conditioned on year-to-date ``rows`` (scenario.types.Actual), as --actuals does."""
    import dataclasses

    from growthsim.scenario.types import Actuals

    latest = {actual.indicator: actual for actual in rows}  # the last row of an indicator is its latest
    return dataclasses.replace(scenario, actuals=Actuals("a.csv", tuple(rows), None, persistence, latest=latest))


def p_hit(summary, indicator_id: str) -> float:
    """The estimated P(hit) of one indicator's target in a Summary."""
    return next(row for row in summary.indicators if row.indicator.id == indicator_id).hit.p
