"""The layout's rules hold (#13): stages only import the stages below them, no two modules of a
package import each other in a circle, the heavy table libraries stay in the output and Typer in
the command line. import-linter checks them (contracts in pyproject.toml); these tests run it, and
show that it catches a breach, and that growthsim 0.1's module names still import, with a warning."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from .conftest import BASELINE, REPO

pytest.importorskip("importlinter")

SRC = REPO / "src"


def _lint_imports(src: Path) -> subprocess.CompletedProcess:
    """lint-imports on the package found in ``src`` (the repository's own, or a changed copy)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", command, "--no-cache", str(REPO / "pyproject.toml")],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports(SRC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy_of_the_package(tmp_path):
    shutil.copytree(
        SRC / "growthsim", tmp_path / "growthsim", ignore=shutil.ignore_patterns("__pycache__", "locale", "scenarios")
    )
    return tmp_path


def _add_line(path: Path, line: str, inside_a_function: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    if inside_a_function:  # imports inside functions count too: they are not a way round the rules
        text += f"\n\ndef _sneaky():\n    {line}\n"
    else:
        text += f"\n{line}\n"
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "module, line, inside, contract",
    [
        ("stats/intervals.py", "from growthsim.output import render", True, "Stages only import"),
        ("scenario/validation/checker.py", "import growthsim.engine.sampling", False, "Stages only import"),
        ("engine/model.py", "from growthsim.engine import sampling", True, "No two modules"),
        ("engine/summary.py", "import pandas", True, "Tables, charts and workbooks"),
        ("output/tables.py", "import typer", True, "Only the command line"),
        ("stats/sketch.py", "from growthsim.i18n import _", True, "The mathematics knows no words"),
    ],
)
def test_a_breach_of_each_contract_is_caught(copy_of_the_package, module, line, inside, contract):
    _add_line(copy_of_the_package / "growthsim" / module, line, inside)
    result = _lint_imports(copy_of_the_package)
    assert result.returncode != 0
    verdicts = result.stdout.split("Contracts:")[0]  # the list of contracts, each followed by KEPT or BROKEN
    after_name = verdicts[verdicts.index(contract) :]
    assert after_name.find("BROKEN") != -1 and (
        after_name.find("KEPT") == -1 or after_name.find("BROKEN") < after_name.find("KEPT")
    ), result.stdout


# growthsim 0.1 module -> a name it had, which must be the same object at its new place
OLD_NAMES = [
    ("growthsim.render", "summary_to_dict", "growthsim.output.records"),
    ("growthsim.render", "scenario_tables", "growthsim.output.show"),
    ("growthsim.sampling", "sample", "growthsim.engine.sampling"),
    ("growthsim.sampling", "stream_key", "growthsim.engine.streams"),
    ("growthsim.sampling", "quantity_at", "growthsim.stats.distributions"),
    ("growthsim.summary", "Probability", "growthsim.stats.intervals"),
    ("growthsim.links", "computation_order", "growthsim.engine.model"),
    ("growthsim.links", "compute_rows", "growthsim.engine.links"),
    ("growthsim.distributions", "quantile_of", "growthsim.stats.distributions"),
    ("growthsim.distributions", "DISTRIBUTIONS", "growthsim.scenario.families"),
    ("growthsim.compare", "compare", "growthsim.analysis.compare"),
    ("growthsim.compare", "what_if", "growthsim.scenario.loading"),
    ("growthsim.quantities", "parse_quantity", "growthsim.scenario.quantities"),
]


@pytest.mark.parametrize("old, name, new", OLD_NAMES)
def test_an_old_module_name_still_imports_with_a_warning_naming_the_new_place(old, name, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        value = getattr(importlib.import_module(old), name)
    assert value is getattr(importlib.import_module(new), name)


def test_an_old_module_named_like_a_front_door_function_leaves_the_function_alone():
    """Importing 0.1's growthsim.compare (or solve, sensitivity) must not make growthsim.compare a module."""
    import growthsim
    from growthsim.analysis.compare import compare

    for old in ("growthsim.compare", "growthsim.solve", "growthsim.sensitivity"):
        sys.modules.pop(old, None)
        name = old.rsplit(".", 1)[1]
        with pytest.warns(DeprecationWarning):
            assert callable(getattr(importlib.import_module(old), name))
    assert growthsim.compare is compare and callable(growthsim.solve) and callable(growthsim.sensitivity)


def test_old_names_of_the_packages_that_were_modules():
    """growthsim.engine and growthsim.scenario were modules: their front doors need no warning,
    their other names warn and name their new place."""
    import growthsim.engine
    import growthsim.scenario
    from growthsim.engine.run import resolve_seed
    from growthsim.scenario.types import KINDS

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from growthsim.engine import simulate  # noqa: F401
        from growthsim.scenario import load_scenario  # noqa: F401
    for package, name, value in (
        (growthsim.engine, "resolve_seed", resolve_seed),
        (growthsim.scenario, "KINDS", KINDS),
    ):
        package.__dict__.pop(name, None)
        with pytest.warns(DeprecationWarning, match=name):
            assert getattr(package, name) is value
    with pytest.raises(AttributeError):
        growthsim.engine.no_such_name  # noqa: B018


def test_the_library_front_door():
    import growthsim

    for name in growthsim.__all__:
        assert getattr(growthsim, name) is not None, name


def test_renamed_fields_keep_their_old_names_for_one_version():
    """expected_shortfall (a finance name for something else) is mean_gap_when_missed now."""
    from growthsim import load_scenario, simulate

    row = simulate(load_scenario(BASELINE), n_draws=2000, seed=1).indicators[0]
    with pytest.warns(DeprecationWarning, match="mean_gap_when_missed"):
        assert row.expected_shortfall == row.mean_gap_when_missed


MOST_LINES = 450  # "about 400": a module longer than this does more than one job


def test_no_module_is_much_over_400_lines():
    lengths = {
        str(p.relative_to(SRC)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (SRC / "growthsim").rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > MOST_LINES} == {}


def test_the_architecture_document_places_every_module_in_its_package():
    """docs/architecture.md says what each module owns, under its package's heading: a new module
    must be placed there too (two modules of one name in two packages are each placed)."""
    document = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    owns = document.split("## What each package owns")[1].split("\n## ")[0]
    sections = {}
    for part in owns.split("\n### ")[1:]:
        heading, _, text = part.partition("\n")
        sections[heading.split("`")[1] if heading.startswith("`") else "beside"] = text
    package = SRC / "growthsim"
    for path in package.rglob("*.py"):
        relative = path.relative_to(package)
        if len(relative.parts) == 1:
            if path.stem not in ("__main__",):
                assert f"`{path.stem}`" in sections["beside"], path
            continue
        stage, name = relative.parts[0] + "/", path.stem
        if name == "__init__":
            continue
        assert stage in sections, f"no section for {stage}"
        if len(relative.parts) == 3:  # a package inside a stage (scenario/validation/)
            assert f"`{relative.parts[1]}/`" in sections[stage], path
        assert f"`{name}`" in sections[stage], f"{relative} is not placed under {stage}"
