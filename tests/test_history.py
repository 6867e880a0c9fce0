"""The run history (#15 §3): runs with --actuals recorded in SQLite and shown by `growthsim history`;
two writers, Ctrl-C mid-write, an older or a newer database and a file that is not one each leave
the history (and every other output) as it was."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from growthsim.cli import app
from growthsim.output import history as history_module

from .conftest import REPO

runner = CliRunner()
RELEASES = [REPO / "scenarios" / "actuals" / f"luolong-2023-{r}.csv" for r in ("1-3月", "1-6月", "1-9月")]


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _run(release, *extra):
    result = runner.invoke(app, ["run", "-n", "4096", "--seed", "5", "--actuals", str(release), *extra])
    assert result.exit_code == 0, result.output
    return result


def _runs(path="outputs/history.sqlite") -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM runs").fetchone()[0]


def test_each_release_is_recorded_and_history_shows_the_odds_move(tmp_path):
    for release in RELEASES:
        _run(release)
    assert _runs() == 3
    result = runner.invoke(app, ["history", "-f", "json"])
    columns = json.loads(result.stdout)["columns"]
    assert [c["as_of"] for c in columns] == ["年初", "一季度", "上半年", "前三季度"]
    assert columns[0]["p_hit"]["gdp"] > 0.05 and columns[-1]["p_hit"]["gdp"] == 0.0
    table = runner.invoke(app, ["history", str(REPO / "scenarios" / "luolong-2023-baseline.toml")])
    assert (
        table.exit_code == 0 and "达标概率的变化：洛龙区2023年基准情景" in table.output and "前三季度" in table.output
    )


def test_a_rerun_of_a_period_shows_its_latest_run_and_other_scenarios_are_apart():
    _run(RELEASES[1])
    _run(RELEASES[1], "-n", "8192")
    _run(RELEASES[1], str(REPO / "scenarios" / "luolong-2023-upside.toml"))
    assert _runs() == 3
    upside = runner.invoke(app, ["history", str(REPO / "scenarios" / "luolong-2023-upside.toml"), "-f", "json"])
    assert [c["as_of"] for c in json.loads(upside.stdout)["columns"]] == ["年初", "上半年"]


def test_no_history_records_nothing_and_a_run_without_actuals_is_not_recorded(tmp_path):
    _run(RELEASES[0], "--no-history")
    assert runner.invoke(app, ["run", "-n", "2048"]).exit_code == 0
    assert not (tmp_path / "outputs").exists()
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 1 and "没有带 --actuals 的运行记录" in result.output


def test_ctrl_c_while_recording_leaves_the_history_as_it_was(monkeypatch):
    _run(RELEASES[0])
    real, connect = sqlite3.Connection.executemany, sqlite3.connect

    class Interrupted(sqlite3.Connection):
        def executemany(self, *args):
            real(self, *args)
            raise KeyboardInterrupt  # the odds written, not yet committed

    with monkeypatch.context() as patched:
        patched.setattr(history_module.sqlite3, "connect", lambda *a, **k: connect(*a, **k, factory=Interrupted))
        result = runner.invoke(app, ["run", "-n", "4096", "--actuals", str(RELEASES[1])])
    assert result.exit_code == 130
    assert _runs() == 1
    with sqlite3.connect("outputs/history.sqlite") as connection:
        assert {r[0] for r in connection.execute("SELECT DISTINCT run_id FROM odds")} == {1}


def test_two_processes_recording_at_once_are_both_recorded_whole(tmp_path):
    command = [sys.executable, "-m", "growthsim", "run", "-n", "20000", "--history", "h.sqlite", "--actuals"]
    processes = [
        subprocess.Popen([*command, str(r)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for r in RELEASES
    ]
    assert [p.wait(timeout=180) for p in processes] == [0, 0, 0]
    assert _runs("h.sqlite") == 3
    with sqlite3.connect("h.sqlite") as connection:
        counts = [n for (n,) in connection.execute("SELECT count(*) FROM odds GROUP BY run_id")]
    assert counts == [17, 17, 17]


def test_an_older_database_is_brought_up_to_date_and_a_newer_one_refused(tmp_path):
    with sqlite3.connect("old.sqlite") as connection:
        connection.execute("PRAGMA user_version = 0")  # as an older growthsim left it: no tables yet
    _run(RELEASES[0], "--history", "old.sqlite")
    assert _runs("old.sqlite") == 1
    with sqlite3.connect("new.sqlite") as connection:
        connection.execute("PRAGMA user_version = 99")
    result = runner.invoke(
        app, ["run", "-n", "2048", "--actuals", str(RELEASES[0]), "--history", "new.sqlite", "--out", "o"]
    )
    assert result.exit_code == 1 and "由更新版本的 growthsim 写入" in result.output
    assert not (tmp_path / "o").exists()  # refused before the run: nothing written


def test_a_file_that_is_not_a_history_is_named_before_the_run(tmp_path):
    (tmp_path / "notes.sqlite").write_text("我的笔记\n" * 100, encoding="utf-8")
    result = runner.invoke(
        app, ["run", "-n", "2048", "--actuals", str(RELEASES[0]), "--history", "notes.sqlite", "--out", "o"]
    )
    assert result.exit_code == 1 and "不是 growthsim 的运行记录" in result.output
    assert (tmp_path / "notes.sqlite").read_text(encoding="utf-8") == "我的笔记\n" * 100
    assert not (tmp_path / "o").exists()


def _chart_history():
    for release in RELEASES:
        _run(release, "-n", "2048")
    from growthsim.output.history import read_history

    return read_history(history_module.DEFAULT_HISTORY)


def test_the_chart_has_a_line_per_target_with_its_interval_against_the_periods_in_order():
    pytest.importorskip("matplotlib")
    from growthsim.output.figures import ChartFonts
    from growthsim.output.history_chart import history_chart
    from growthsim.output.history_view import history_odds

    records = _chart_history()
    columns = history_odds(records)
    figure = history_chart(records, ChartFonts(None))  # no Chinese font: English periods, ids for names
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["January", "Q1", "H1", "Q1–Q3"]
    assert axes.get_ylim() == (0.0, 1.0)
    [even] = [line for line in axes.get_lines() if line.get_linestyle() == "--"]
    assert list(even.get_ydata()) == [0.5, 0.5]
    lines = [line for line in axes.get_lines() if line.get_label() and not line.get_label().startswith("_")]
    ids = [record.indicator for record in records[:17]]
    assert [line.get_label() for line in lines] == ids  # one per target, in the scenario's order
    gdp = lines[ids.index("gdp")]
    assert list(gdp.get_ydata()) == [column.p_hit["gdp"] for column in columns]
    # each period's interval as an error bar (January's odds are recorded without one)
    revenue = next(record for record in records if record.indicator == "revenue" and record.as_of == (1, 6))
    bars = [c for c in axes.collections if c.get_segments()]
    spans = {(round(s[0][1], 12), round(s[1][1], 12)) for c in bars for s in c.get_segments()}
    assert (round(revenue.ci[0], 12), round(revenue.ci[1], 12)) in spans
    assert len(spans) <= 17 * 3


def test_history_plot_writes_the_chart_whole_and_refuses_bad_paths(tmp_path):
    pytest.importorskip("matplotlib")
    _chart_history()
    result = runner.invoke(app, ["history", "--plot", "odds.png"])
    assert result.exit_code == 0, result.output
    assert "前三季度" in result.stdout  # the table too
    png = (tmp_path / "odds.png").read_bytes()
    assert png.startswith(b"\x89PNG") and b"growthsim" in png[:4096]
    result = runner.invoke(app, ["history", "--plot", "odds.svg", "-f", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["columns"][2]["p_hit_ci"]["gdp"][1] > 0
    assert (tmp_path / "odds.svg").read_text(encoding="utf-8").count("<svg") == 1
    assert runner.invoke(app, ["history", "--plot", "odds.png"]).exit_code == 0  # its own earlier chart: replaced
    (tmp_path / "mine.png").write_bytes(b"\x89PNG my own picture")
    for path, words in (("mine.png", "不是 growthsim 写的"), ("odds.pdf", ".png"), (".", "history.png")):
        result = runner.invoke(app, ["history", "--plot", path])
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output
    assert (tmp_path / "mine.png").read_bytes() == b"\x89PNG my own picture" and not (tmp_path / "odds.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.png", "odds.png", "odds.svg", "outputs"]


def test_a_failure_while_writing_the_chart_leaves_the_earlier_one(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    _chart_history()
    assert runner.invoke(app, ["history", "--plot", "odds.png"]).exit_code == 0
    before = (tmp_path / "odds.png").read_bytes()

    def full(self, target, **kwargs):
        with open(target, "wb") as f:
            f.write(b"\x89PNG half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full)
    result = runner.invoke(app, ["history", "--plot", "odds.png"])
    assert result.exit_code == 1 and "磁盘已满" in result.output
    assert (tmp_path / "odds.png").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odds.png", "outputs"]  # no partial file left


def test_history_plot_without_matplotlib_says_how_to_install_it_and_help_does_not_load_it(monkeypatch):
    from growthsim.output import figures

    def missing():
        raise figures.ChartsUnavailable(figures.INSTALL_HINT)

    monkeypatch.setattr(figures, "require_matplotlib", missing)
    result = runner.invoke(app, ["history", "--plot", "odds.png"])
    assert result.exit_code == 1 and "pip install" in result.output
    code = (
        "import sys; from growthsim.cli import main; sys.argv = ['growthsim', 'history', '--help'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('matplotlib' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "--plot" in done.stdout and done.stderr.strip().splitlines()[-1] == "False", done.stderr


def test_history_plot_with_a_fresh_matplotlib_cache_and_no_chinese_font(tmp_path, monkeypatch):
    """As on a planner's machine that never ran matplotlib: the chart is drawn all the same (in
    English, with the hint how to install a Chinese font, when none is found)."""
    pytest.importorskip("matplotlib")
    import os

    _chart_history()
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"), HOME=str(tmp_path / "home"), GROWTHSIM_LANG="zh")
    done = subprocess.run(
        [sys.executable, "-m", "growthsim", "history", "--plot", "fresh.svg"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fresh.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    from growthsim.output import figures

    monkeypatch.setattr(figures, "chart_fonts", lambda: figures.ChartFonts(None))
    result = runner.invoke(app, ["history", "--plot", "plain.png"])
    assert result.exit_code == 0 and "fonts-wqy-microhei" in result.output and (tmp_path / "plain.png").exists()
