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
    ("growthsim.distributions", "quantile_of", "growthsim.stats.distributions"),
    ("growthsim.compare", "compare", "growthsim.analysis.compare"),
    ("growthsim.quantities", "parse_quantity", "growthsim.scenario.quantities"),
]


@pytest.mark.parametrize("old, name, new", OLD_NAMES)
def test_an_old_module_name_still_imports_with_a_warning(old, name, new):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):  # naming the new place
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


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


def test_the_architecture_document_names_every_module():
    """docs/architecture.md says what each module owns: a new module must be placed there too."""
    document = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in (SRC / "growthsim").rglob("*.py"):
        if path.name.startswith("_") or (path.parent.name == "cli" and path.stem == "__init__"):
            continue
        assert f"`{path.stem}`" in document or f"`{path.stem}.py`" in document, path
