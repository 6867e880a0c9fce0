"""The README cannot drift from the code: its commands, examples and tables are exercised here."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from growthsim import cli, load_scenario, parse_scenario
from growthsim.cli import app
from growthsim.scenario.families import DISTRIBUTIONS
from growthsim.scenario.targets import SIDES
from growthsim.scenario.types import KINDS

from .conftest import BASELINE, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def toml_block(marker: str) -> str:
    """The README's one TOML example that contains ``marker`` (so examples may be added anywhere)."""
    [block] = [b for b in code_blocks("toml") if marker in b]
    return block


def test_readme_compare_examples_work(monkeypatch):
    commands = [
        line for block in code_blocks("sh") for line in block.splitlines() if line.startswith("growthsim compare")
    ]
    assert len(commands) >= 2
    monkeypatch.chdir(REPO)
    for command in commands:
        result = runner.invoke(app, [*shlex.split(command)[1:], "--draws", "2000"], env={"NO_COLOR": "1"})
        assert result.exit_code == 0, (command, result.output)


def test_readme_lists_every_shipped_scenario():
    for path in (REPO / "scenarios").glob("*.toml"):
        assert f"`scenarios/{path.name}`" in README


def test_readme_gives_the_two_setup_commands():
    blocks = [b.strip() for b in code_blocks("sh")]
    run_command, test_command = blocks[0], blocks[1]
    assert run_command.startswith("python3 -m venv .venv") and run_command.endswith("growthsim run")
    assert test_command.startswith("python3 -m venv .venv") and test_command.endswith("tools/check.py")


def test_ci_runs_exactly_the_readme_test_command():
    test_command = code_blocks("sh")[1].strip()
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_every_command_is_in_the_readme():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert set(names) == {
        "run",
        "compare",
        "diff",
        "solve",
        "sensitivity",
        "report",
        "history",
        "calibrate",
        "validate",
        "show",
        "distributions",
    }
    for name in names:
        assert f"`growthsim {name}" in README


def test_every_run_option_is_in_the_readme():
    result = runner.invoke(app, ["run", "--help"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    options = set(re.findall(r"(--[a-z][a-z-]+)", result.output)) - {"--help"}
    assert options, result.output
    for option in options:
        assert f"`{option}" in README, option


def test_readme_scenario_example_is_valid():
    example = code_blocks("toml")[0]
    scenario = parse_scenario(example, "README.md")
    assert scenario.warnings == ()
    assert scenario.indicators[0].id == "fai"


def test_readme_derived_example_is_valid(tmp_path):
    population = (
        '[indicators.population]\nname = "常住人口"\nunit = "万人"\nkind = "flow"\nbasis = "real"\n'
        'growth = { dist = "normal", mean = "0.5%", sd = "0.3pp", rationale = "t" }\n'
    )
    child = (
        f'extends = "{BASELINE.as_posix()}"\nremove_indicators = ["gdp_per_capita"]\n'
        f'[scenario]\nname = "派生"\n' + population + toml_block("[indicators.gdp_per_capita]")
    )
    (tmp_path / "derived.toml").write_text(child, encoding="utf-8")
    scenario = load_scenario(tmp_path / "derived.toml")
    assert scenario.indicator("gdp_per_capita").kind == "derived"
    assert scenario.warnings == ()


def test_readme_correlations_example_is_valid(tmp_path):
    child = f'extends = "{BASELINE.as_posix()}"\n[scenario]\nname = "相关"\n' + toml_block("[correlations]")
    (tmp_path / "correlated.toml").write_text(child, encoding="utf-8")
    scenario = load_scenario(tmp_path / "correlated.toml")
    pairs = {(a, b): rho for a, b, rho in scenario.correlations}
    assert pairs[("industry", "retail")] == 0.2 and pairs[("industry", "fai")] == 0.4
    assert scenario.correlation_method == "iman_conover"
    assert scenario.warnings == ()


def test_readme_links_example_is_valid(tmp_path):
    """The links example, written into a child of the baseline, loads and means what it says."""
    child = f'extends = "{BASELINE.as_posix()}"\n[scenario]\nname = "关联"\n' + toml_block("[indicators.gdp.drivers]")
    (tmp_path / "linked.toml").write_text(child, encoding="utf-8")
    scenario = load_scenario(tmp_path / "linked.toml")
    drivers = {d.indicator: d for d in scenario.indicator("gdp").drivers}
    assert drivers["industry"].elasticity == 0.3 and drivers["industry"].at == pytest.approx(0.08)
    [jobs] = scenario.indicator("urban_jobs").drivers
    assert (jobs.unit, jobs.elasticity) == ("人/pp", pytest.approx(17_000))


def test_readme_events_example_is_valid():
    events = toml_block("[events.epidemic]")
    scenario = load_scenario(BASELINE)
    text = BASELINE.read_text(encoding="utf-8") + "\n" + events
    with_events = parse_scenario(text, "README.md")
    (event,) = with_events.events
    assert event.name == "疫情反复" and {e.kind for e in event.effects} == {"add", "scale", "replace"}
    assert len(with_events.indicators) == len(scenario.indicators)


def test_readme_extends_example_is_valid(tmp_path):
    example = toml_block("extends = ")
    shutil.copy(BASELINE, tmp_path / BASELINE.name)
    (tmp_path / "what-if.toml").write_text(example, encoding="utf-8")
    scenario = load_scenario(tmp_path / "what-if.toml")
    assert scenario.name == "投资只增长5%左右"
    assert "trade" not in scenario.ids
    assert scenario.indicator("fai").assumption.written["mode"] == "5%"


def test_readme_set_examples_work():
    for option in re.findall(r"`growthsim run --set ([^`]+)`|`--set '([^`]+)'`", README):
        value = next(v for v in option if v)
        result = runner.invoke(app, ["run", "--draws", "1000", "--set", value.strip("'")], env={"NO_COLOR": "1"})
        assert result.exit_code == 0, (value, result.output)


def test_readme_python_example_runs(capsys):
    (example,) = [block for block in code_blocks("python") if "simulate_batch" not in block]
    exec(compile(example, "README.md", "exec"), {})
    assert "地区生产总值" in capsys.readouterr().out


def test_readme_cluster_example_runs(capsys, monkeypatch):
    """The "Beyond one machine" example, on a cluster of two local worker processes and fewer draws."""
    pytest.importorskip("distributed")
    (example,) = [block for block in code_blocks("python") if "simulate_batch" in block]
    address = 'Client("tcp://scheduler:8786")'
    assert address in example and "n_draws=10_000_000" in example
    example = example.replace(
        address,
        "Client(__import__('distributed').LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None))",
    ).replace("n_draws=10_000_000", "n_draws=140_000")
    monkeypatch.chdir(REPO)
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.count("洛龙区2023年") == 3


def test_readme_run_example_works(tmp_path, monkeypatch):
    command = next(
        line
        for block in code_blocks("sh")
        for line in block.splitlines()
        if line.startswith("growthsim run scenarios/")
    )
    args = shlex.split(command)[1:]
    args[args.index("--out") + 1] = str(tmp_path / "baseline")  # keep the repository clean
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "baseline" / "summary.csv").exists()


def test_readme_plot_and_report_examples_work(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    lines = [line for block in code_blocks("sh") for line in block.splitlines()]
    plot = shlex.split(next(line for line in lines if line.startswith("growthsim run --out")))[1:]
    report = shlex.split(next(line for line in lines if line.startswith("growthsim report")))[1:]
    for args, option in ((plot, "--out"), (plot, "--plot"), (report, "--html")):
        args[args.index(option) + 1] = str(tmp_path / Path(args[args.index(option) + 1]).name)
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, [*plot, "--draws", "5000"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "baseline" / "overview.svg").exists() and (tmp_path / "baseline" / "summary.csv").exists()
    result = runner.invoke(app, [*report, "--draws", "5000", "--analysis-draws", "2000"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").stat().st_size > 100_000


def test_readme_error_example_is_what_growthsim_prints(write_scenario):
    (shown,) = re.findall(r"^my\.toml:\d+:\d+: (indicators\..*)$", README, flags=re.M)
    path = write_scenario(
        '[scenario]\nname = "x"\n[indicators.fai]\nname = "固定资产投资"\nunit = "亿元"\nkind = "flow"\n'
        'basis = "nominal"\n[indicators.fai.growth]\ndist = "normall"\nmean = "10%"\nsd = "5pp"\n'
    )
    result = runner.invoke(app, ["--lang", "en", "validate", str(path)], env={"NO_COLOR": "1", "COLUMNS": "300"})
    printed = " ".join(result.stderr.split())
    assert shown.replace(", ...)", "") in printed


def test_readme_lists_every_distribution_kind_and_side():
    for name in DISTRIBUTIONS:
        assert f"`{name}`" in README
    for kind in KINDS:
        assert f"| {kind} |" in README
    for side in SIDES:
        assert f"`{side}`" in README


def test_readme_exit_codes_match_the_cli():
    codes = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, flags=re.M))
    assert codes.keys() == {"0", "1", "2", "3", "130"}
    assert str(cli.EXIT_INPUT) == "1" and str(cli.EXIT_INTERNAL) == "3"


def test_readme_package_map_matches_the_package():
    """The README's map names every stage (a folder) and every public top-level module."""
    listed = set(re.findall(r"^  (\w+\.py|\w+/) ", README, flags=re.M))
    package = REPO / "src" / "growthsim"
    present = (
        {f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()}
        | {p.name for p in package.glob("*.py") if not p.name.startswith("_")}
        | {"__init__.py"}
    )
    assert listed == present


def test_wheel_ships_the_default_scenario(tmp_path):
    """`growthsim run` with no file must work from an installed wheel, not only from a checkout."""
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = list(builders.WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(wheel).namelist()
    assert "growthsim/scenarios/luolong-2023-baseline.toml" in names
    assert "growthsim/cli/__init__.py" in names and "growthsim/engine/run.py" in names
    assert "growthsim/output/report.css" in names  # the report's styles, read at run time


def test_readme_investment_what_if_numbers_are_the_tools():
    """The links paragraph quotes the FAI what-if's numbers: they must be what the tool prints."""
    result = runner.invoke(app, ["compare", "--what-if", "fai.growth.mode=5%", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row["scenarios"] for row in json.loads(result.stdout)["indicators"]}
    before, after = (f"{rows['gdp'][k]['p_hit'] * 100:.1f}%" for k in (0, 1))
    assert f"GDP's P(hit) from {before} to {after}" in " ".join(README.split())
    jobs = rows["urban_jobs"][1]["channels"]["drivers"]["gdp"]["change"]
    assert f"new urban jobs by\nabout {-jobs:.0f}".replace("\n", " ") in " ".join(README.split())
    assert rows["gdp"][1]["channels"]["drivers"]["fai"]["change"] == pytest.approx(-0.005)
