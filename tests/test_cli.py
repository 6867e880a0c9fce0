"""The command line, as a planner meets it: one test family per command and option."""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from growthsim import __version__, cli, load_scenario
from growthsim.cli import app
from growthsim.engine.summary import QUANTILES
from growthsim.i18n import _
from growthsim.scenario.families import DISTRIBUTIONS

from .conftest import BASELINE, scenario_text

runner = CliRunner()

SMALL = ["--draws", "3000", "--seed", "5"]

GOOD = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    baseline = 582.4
    source = "test"
    target = { at_least = "8%", source = "test" }
    growth = { dist = "normal", mean = "6%", sd = "2pp", rationale = "test" }
    """
)

BROKEN = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normall", mean = "6%", sd = "2pp", rationale = "test" }
    """
)


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


# --- help and version -----------------------------------------------------------------------------


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"growthsim {__version__}"


def test_no_arguments_shows_help():
    result = invoke()
    assert "run" in result.output and "validate" in result.output


@pytest.mark.parametrize("command", ["run", "validate", "show", "distributions"])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "用法" in result.output  # Chinese by default (tests/test_i18n.py checks English too)
    assert cli.app.registered_commands  # the help text is the docstring, translated
    callback = next(c.callback for c in cli.app.registered_commands if c.callback.__name__ == command)
    doc = _(inspect.cleandoc(callback.__doc__)).split("\n")[0]
    assert "".join(doc.split("，")[0][:12].split()) in "".join(result.output.split())


def test_python_dash_m_works():
    completed = subprocess.run([sys.executable, "-m", "growthsim", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"growthsim {__version__}"


# --- run ------------------------------------------------------------------------------------------


def test_run_default_scenario_table():
    result = invoke("run", *SMALL)
    assert result.exit_code == 0, result.output
    for text in (
        "地区生产总值",
        "固定资产投资",
        "城镇调查失业率",
        "全部17项目标同时达成的概率",
        "增长8%",
        "≥ 8%",
        "≤ 5.5%",
    ):
        assert text in result.stdout
    assert "Traceback" not in result.output


def test_run_json_follows_the_contract():
    result = invoke("run", *SMALL, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["growthsim_version"] == __version__
    assert set(document["scenario"]) >= {"name", "path", "sha256"}
    assert document["scenario"]["sha256"] == hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    assert document["draws"] == 3000 and document["seed"] == 5
    gdp = document["indicators"][0]
    for key in (
        "id",
        "name",
        "unit",
        "kind",
        "basis",
        "baseline",
        "target",
        "p_hit",
        "p_hit_se",
        "p_hit_ci",
        "mean",
        "quantiles",
        "level_quantiles",
        "mean_gap_when_missed",
    ):
        assert key in gdp
    assert gdp["expected_shortfall"] == gdp["mean_gap_when_missed"]  # 0.1's name, kept until 0.3
    assert gdp["target"]["metric"] == "growth" and gdp["target"]["op"] == ">="
    assert gdp["target"]["value"] == 0.08  # rates as fractions
    assert list(gdp["quantiles"]) == list(QUANTILES)
    assert gdp["level_quantiles"]["p50"] == pytest.approx(582.4 * (1 + gdp["quantiles"]["p50"]))
    joint = document["joint"]
    assert set(joint) >= {"p_all", "p_all_se", "expected_hits", "hits_distribution"}
    targeted = [row for row in document["indicators"] if row["target"] is not None]
    assert len(joint["hits_distribution"]) == len(targeted) + 1 == joint["n_targets"] + 1
    ops = {row["target"]["op"] for row in document["indicators"] if row["target"]}
    assert ops == {">=", "<=", "about", "relative"}


def test_run_csv_has_one_row_per_indicator():
    result = invoke("run", *SMALL, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff")  # `> result.csv` opens in Excel
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(rows) == len(load_scenario(BASELINE).indicators)  # targeted or not
    assert rows[0]["id"] == "gdp" and rows[0]["name"] == "地区生产总值"
    assert float(rows[0]["target_value"]) == 0.08
    assert all(0.0 <= float(r["p_hit"]) <= 1.0 for r in rows if r["target_op"])
    assert all(r["p_hit"] == "" for r in rows if not r["target_op"])  # untargeted: no P(hit)


def test_run_same_seed_same_numbers_other_seed_other_numbers():
    first = json.loads(invoke("run", *SMALL, "-f", "json").stdout)
    again = json.loads(invoke("run", *SMALL, "-f", "json").stdout)
    other = json.loads(invoke("run", "--draws", "3000", "--seed", "6", "-f", "json").stdout)
    assert first == again
    assert first["indicators"][0]["p_hit"] != other["indicators"][0]["p_hit"]


def test_run_uses_the_scenario_settings_when_no_options(write_scenario):
    path = write_scenario(GOOD)
    document = json.loads(invoke("run", str(path), "-f", "json").stdout)
    assert document["draws"] == 20000 and document["seed"] == 12345


def test_few_draws_do_not_claim_certainty(write_scenario):
    """30 draws with no hit: the table shows the upper bound, not '0.0% ±0.0', and a note says why."""
    path = write_scenario(GOOD.replace('at_least = "8%"', 'at_least = "30%"'))
    result = invoke("run", str(path), "--draws", "30", "--seed", "1")
    assert result.exit_code == 0
    assert "0% (<" in result.stdout and "0.0% ±0.0" not in result.stdout
    assert "只模拟了 30 次" in result.output


def test_run_broken_scenario_exits_1_with_located_message(write_scenario):
    path = write_scenario(BROKEN)
    result = invoke("--lang", "en", "run", str(path))
    assert result.exit_code == 1
    assert f"{path}:16:19: indicators.gdp.growth.dist:" in result.stderr
    assert "unknown distribution 'normall' (did you mean 'normal'?)" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_run_missing_file_exits_1():
    result = invoke("--lang", "en", "run", "no/such/file.toml")
    assert result.exit_code == 1
    assert "file not found" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--format", "xml"], ["--draws", "0"], ["--draws", "many"], ["--seed", "-1"], ["--bogus"], ["--export-draws"]],
)
def test_run_usage_errors_exit_2(args):
    result = invoke("run", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --- run --out ------------------------------------------------------------------------------------


def test_out_writes_all_files(tmp_path):
    out = tmp_path / "run1"
    result = invoke("run", *SMALL, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.csv", "summary.json", "summary.xlsx"]
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["name"] == "地区生产总值"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["growthsim_version"] == __version__
    assert manifest["seed"] == 5 and manifest["draws"] == 3000
    assert manifest["scenario"]["sha256"] == hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    assert manifest["command_line"] and manifest["created"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(invoke("run", *SMALL, "-f", "json").stdout)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left over


def test_out_export_draws(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "--draws", "70000", "--seed", "1", "--out", str(out), "--export-draws")
    assert result.exit_code == 0, result.output
    with open(out / "draws.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        words = next(reader)  # for the planner, in Chinese; then the ids, for programs
        header = next(reader)
        rows = list(reader)
    assert len(rows) == 70000
    assert words[:2] == ["模拟序号", "地区生产总值（增速）"] and "地区生产总值（是否达标：1为达标，0为未达标）" in words
    assert header[0] == "draw" and "gdp.growth" in header and "gdp.level" in header and "gdp.hit" in header
    assert [int(r[0]) for r in rows[:3]] == [0, 1, 2] and int(rows[-1][0]) == 69999
    g, level, hit = header.index("gdp.growth"), header.index("gdp.level"), header.index("gdp.hit")
    growth = [float(r[g]) for r in rows]
    assert all(float(r[level]) == pytest.approx(582.4 * (1 + float(r[g])), rel=1e-9) for r in rows[:100])
    share = sum(int(r[hit]) for r in rows) / len(rows)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert share == summary["indicators"][0]["p_hit"]
    assert sum(growth) / len(growth) == pytest.approx(summary["indicators"][0]["mean"], abs=1e-9)


def test_out_refuses_a_folder_with_other_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.docx").write_text("precious")
    result = invoke("run", *SMALL, "--out", str(out))
    assert result.exit_code == 1
    assert "中已有其他文件（report.docx）" in result.stderr
    assert [p.name for p in out.iterdir()] == ["report.docx"]


def test_out_replaces_an_earlier_run_whole(tmp_path):
    out = tmp_path / "run"
    assert invoke("run", *SMALL, "--out", str(out), "--export-draws").exit_code == 0
    assert invoke("run", *SMALL, "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "summary.csv", "summary.json", "summary.xlsx"]


def test_failed_run_leaves_nothing_behind(tmp_path, monkeypatch):
    from growthsim.output import folders

    def disk_full(self, outcomes):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folders.DrawWriter, "__call__", disk_full)
    out = tmp_path / "deep" / "run"
    result = invoke("run", *SMALL, "--out", str(out), "--export-draws")
    assert result.exit_code == 1
    assert "磁盘已满" in result.stderr and "没有写出任何文件" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither the run, nor staging, nor the parent it created


def test_out_on_a_file_is_refused(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = invoke("run", *SMALL, "--out", str(target))
    assert result.exit_code == 1
    assert "不是文件夹" in result.stderr


# --- validate, show, distributions ---------------------------------------------------------------


def test_validate_good_and_broken_files(write_scenario):
    good = write_scenario(GOOD, "good.toml")
    broken = write_scenario(BROKEN, "broken.toml")
    result = invoke("--lang", "en", "validate", str(good), str(broken))
    assert result.exit_code == 1
    assert f"✓ {good}: 1 indicators, 1 targets" in result.stdout and f"✗ {broken}: 1 problem" in result.stdout
    chinese = invoke("--lang", "zh", "validate", str(good), str(broken))
    assert f"✓ {good}：1 个指标，1 个目标" in chinese.stdout and f"✗ {broken}：1 处问题" in chinese.stdout
    assert "是否想写 'normal'" in chinese.stderr
    assert "did you mean 'normal'?" in result.stderr
    assert invoke("validate", str(good)).exit_code == 0


def test_validate_shipped_scenarios_strictly():
    result = invoke("validate", "--strict", str(BASELINE))
    assert result.exit_code == 0, result.output


def test_validate_strict_fails_on_warnings(write_scenario):
    path = write_scenario(GOOD.replace(', rationale = "test"', ""))
    assert invoke("validate", str(path)).exit_code == 0
    result = invoke("--lang", "en", "validate", "--strict", str(path))
    assert result.exit_code == 1
    assert "neither a source nor a rationale" in result.stderr


def test_show_default_scenario():
    result = invoke("show")
    assert result.exit_code == 0, result.output
    first_cells = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│")]
    assert "地区生产总值" in first_cells and "固定资产投资" in first_cells  # the indicator column
    text = " ".join(result.stdout.split())
    for expected in ("地区生产总值", "582.4亿元", "split_normal", "理由（假设）", "增速 ≥ 8% 时达标", "出处："):
        assert expected in text
    english = " ".join(invoke("--lang", "en", "show").stdout.split())
    for expected in ("rationale (assumption)", "hit when growth ≥ 8%", "source:"):
        assert expected in english


def test_show_broken_file_exits_1(write_scenario):
    assert invoke("show", str(write_scenario(BROKEN))).exit_code == 1


def test_distributions_lists_every_distribution():
    result = invoke("distributions")
    assert result.exit_code == 0
    for name in DISTRIBUTIONS:
        assert name in result.stdout


# --- the edge: no traceback, ever -----------------------------------------------------------------


def test_internal_error_is_reported_briefly(monkeypatch, capsys):
    import growthsim.engine.run

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(growthsim.engine.run, "simulate", broken)
    monkeypatch.setattr(sys, "argv", ["growthsim", "run", "--draws", "10"])
    monkeypatch.delenv("GROWTHSIM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "内部错误" in err and "RuntimeError: boom" in err and "Traceback" not in err


def test_run_table_explains_a_joint_probability_of_zero():
    result = invoke("run", *SMALL)
    text = " ".join(result.stdout.split())
    assert "全部17项目标同时达成的概率：< 0.13%（3,000次模拟中0次，95%上限）" in text
    assert "若各目标相互独立则为" in text  # the baseline's indicators are correlated
    assert "比gdp:" in text  # the relative target shows the difference it tests


def test_run_json_labels_price_basis_and_relative_differences():
    document = json.loads(invoke("run", *SMALL, "-f", "json").stdout)
    rows = {row["id"]: row for row in document["indicators"]}
    assert rows["gdp"]["level_prices"] == "constant_base_year"
    assert rows["fai"]["level_prices"] == "current"
    assert rows["unemployment"]["level_prices"] is None
    assert list(rows["income"]["difference_quantiles"]) == list(QUANTILES)
    assert rows["gdp"]["difference_quantiles"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["run", "-n", "1000"],
        ["run", "-n", "1000", "-f", "csv"],
        ["run", "-n", "1000", "-f", "json"],
        ["validate", str(BASELINE)],
        ["show"],
    ],
)
def test_a_gbk_console_does_not_crash(args):
    """Chinese Windows consoles and redirects use GBK, which has no ✓ or ≥: never an internal error."""
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    completed = subprocess.run([sys.executable, "-m", "growthsim", *args], capture_output=True, env=env)
    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")
    if "-f" in args:  # machine formats are UTF-8 whatever the console
        text = completed.stdout.decode("utf-8-sig")
        assert "地区生产总值" in text


def test_an_earlier_run_survives_a_failed_replacement(tmp_path, monkeypatch):
    out = tmp_path / "run"
    assert invoke("run", *SMALL, "--out", str(out)).exit_code == 0
    before = (out / "summary.json").read_bytes()
    real_rename = os.rename

    def failing_rename(src, dst):
        if ".partial-" in str(src):
            raise OSError(13, "Permission denied")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", failing_rename)
    result = invoke("run", "--draws", "3000", "--seed", "6", "--out", str(out))
    assert result.exit_code == 1 and "没有权限" in result.stderr
    assert (out / "summary.json").read_bytes() == before  # the old set, not neither
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_progress_bar_only_on_an_interactive_terminal_for_long_runs(monkeypatch):
    from growthsim.cli.common import progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with progress_bar(10_000_000) as progress:
        assert progress is None  # piped or redirected: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar(100_000) as progress:
        assert progress is None  # short runs: no bar
    with progress_bar(10_000_000) as progress:
        assert callable(progress)
        progress(5_000_000, 10_000_000)


def test_a_level_target_on_a_flow_shows_amounts_not_percentages():
    result = invoke("run", *SMALL)
    row = next(line for line in result.stdout.splitlines() if "技术合同成交额" in line)
    assert "亿元" in row and "%" not in row.split("│")[4]


def test_probability_bars_in_the_tables():
    from growthsim.output.wording import probability_bar

    assert probability_bar(0.0) == "··········" and probability_bar(1.0) == "██████████"
    assert probability_bar(0.5) == "█████·····" and probability_bar(0.137) == "█▍········"
    assert "█" in invoke("run", *SMALL).stdout


def test_the_tables_notes_are_whole_at_80_columns():
    """A caption inside the table wrapped at the table's width and was then cut at the terminal's
    (the expected number of hits read '预计达成 7'): the notes are printed below, wrapped to fit."""
    from typer.testing import CliRunner

    env = {"NO_COLOR": "1", "COLUMNS": "80"}
    result = CliRunner().invoke(
        app, ["run", "-n", "20000", "--set", "simulation.correlation_method=iman_conover"], env=env
    )
    assert result.exit_code == 0, result.output
    below = [line for line in result.stdout.splitlines() if not line.startswith(("│", "┃", "┏", "┡", "├", "└"))]
    notes = "".join("".join(below).split())  # wrapping only adds line breaks (and drops spaces)
    assert re.search(r"平均预计达成\d+\.\d项（共17项）", notes)
    assert "涉及多个相关指标的误差由组间差异估计" in notes and "目标的解读见`growthsimshow`。" in notes


def test_help_lists_the_commands_in_the_order_a_planner_uses_them():
    """Not alphabetical: run first, then the questions asked of runs, then the scenario tools.
    (An import sorter once reordered the modules that add them: importing one adds its command.)"""
    names = [command.callback.__name__ for command in cli.app.registered_commands]
    assert names == [
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
    ]
