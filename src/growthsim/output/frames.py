"""Results as pandas DataFrames, for notebook users: the JSON's fields, one row per indicator
(``summary_frame``), per scenario, indicator and statistic (``comparison_frame``), or per target
and input (``sensitivity_frame``). Rates are fractions, at full precision, as in the JSON.

pandas is imported here only, when a frame is asked for: a plain `run` and `--help` never load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from growthsim.output.comparison import comparison_rows
from growthsim.output.folders import COMPARISON_COLUMNS
from growthsim.output.records import (
    CSV_COLUMNS,
    SENSITIVITY_COLUMNS,
    sensitivity_rows,
    summary_rows,
)

__all__ = ["comparison_frame", "sensitivity_frame", "sensitivity_records", "summary_frame"]


def summary_frame(summary) -> Any:
    """One row per indicator, indexed by id, with the columns of summary.csv (full precision)."""
    import pandas as pd

    return pd.DataFrame(summary_rows(summary), columns=list(CSV_COLUMNS)).set_index("id")


def comparison_frame(comparison) -> Any:
    """compare.csv's long form: one row per scenario, indicator and statistic."""
    import pandas as pd

    return pd.DataFrame(comparison_rows(comparison), columns=list(COMPARISON_COLUMNS))


def sensitivity_records(results: Iterable) -> list[dict[str, Any]]:
    """sensitivity.csv's rows: one per target and input, the target named beside its id."""

    return [
        {"indicator": t["indicator"], "target_name": t["name"], **effect}
        for t in sensitivity_rows(results)
        for effect in t["inputs"]
    ]


def sensitivity_frame(results: Iterable) -> Any:
    """One row per target and input, in the order of their swing."""
    import pandas as pd

    return pd.DataFrame(sensitivity_records(results), columns=list(SENSITIVITY_COLUMNS))
