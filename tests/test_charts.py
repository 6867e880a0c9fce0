"""Charts (#5 §3): every chart type is drawn, with Chinese labels and no missing glyph; the outcome
chart's shaded region holds the probability the run reports; --plot writes all files or none."""

from __future__ import annotations

import logging
import math
import os
import re
import warnings
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from growthsim import parse_scenario
from growthsim.analysis.compare import compare
from growthsim.analysis.sensitivity import sensitivity
from growthsim.cli import app
from growthsim.engine.run import simulate
from growthsim.engine.summary import PROFILE_PROBABILITIES

from .conftest import scenario_text

pytest.importorskip("matplotlib")

from growthsim.output import charts, figures

# CI installs a Chinese font (fonts-wqy-microhei) and sets GROWTHSIM_CI, so that there the tests
# check real glyphs instead of skipping.
REQUIRE_SYSTEM_PACKAGES = bool(os.environ.get("GROWTHSIM_CI"))

SCENARIO = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    baseline = 100
    target = { at_least = "8%", stretch = "9%", source = "t" }
    growth = { dist = "normal", mean = "7%", sd = "1pp", rationale = "t" }

    [indicators.income]
    name = "居民人均可支配收入"
    unit = "元"
    kind = "flow"
    basis = "real"
    target = { relative_to = "gdp", tolerance = "1pp", side = "at_least", source = "t" }
    growth = { dist = "normal", mean = "6.5%", sd = "1.2pp", rationale = "t" }

    [indicators.jobs]
    name = "城镇新增就业"
    unit = "人"
    kind = "count"
    target = { at_least = 12000, source = "t" }
    level = { dist = "normal", mean = 12500, sd = 600, rationale = "t" }

    [indicators.firms]
    name = "新增规上企业"
    unit = "家"
    kind = "count"
    target = { at_least = 20, source = "t" }
    level = { dist = "poisson", mean = 22, rationale = "t" }

    [indicators.unemployment]
    name = "城镇调查失业率"
    unit = "%"
    kind = "rate"
    target = { between = ["4%", "5.5%"], source = "t" }
    level = { dist = "normal", mean = "5.2%", sd = "0.4pp", rationale = "t" }

    [events.epidemic]
    name = "疫情反复"
    probability = "30%"
    rationale = "t"
    effects = [{ indicator = "gdp", add = "-2pp" }]
    """
)
N = 40_000


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(SCENARIO)


@pytest.fixture(scope="module")
def summary(scenario):
    return simulate(scenario, N, seed=3)


@pytest.fixture(scope="module")
def fonts():
    found = figures.chart_fonts()
    if found.cjk is None:
        if REQUIRE_SYSTEM_PACKAGES:
            pytest.fail("no Chinese font found on the CI machine: .ci/run installs fonts-wqy-microhei")
        pytest.skip("no Chinese font installed (apt install fonts-wqy-microhei)")
    return found


class _NoGlyphProblems:
    """Turns matplotlib's missing-glyph warnings into failures and collects its font log messages."""

    def __enter__(self):
        self.catcher = warnings.catch_warnings()
        self.catcher.__enter__()
        warnings.simplefilter("error")  # 'Glyph 36798 missing from font(s) DejaVu Sans' is a UserWarning
        self.records: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: self.records.append(record.getMessage())
        self.handler = handler
        logging.getLogger("matplotlib").addHandler(handler)
        return self

    def __exit__(self, *exc):
        logging.getLogger("matplotlib").removeHandler(self.handler)
        self.catcher.__exit__(*exc)
        assert not [r for r in self.records if "findfont" in r or "Glyph" in r], self.records


def _check_files(folder, stems):
    for stem in stems:
        png = (folder / f"{stem}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
        root = ElementTree.parse(folder / f"{stem}.svg").getroot()
        assert root.tag.endswith("svg")
        assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) > 20


def test_every_chart_type_draws_chinese_labels_without_missing_glyphs(scenario, summary, fonts, tmp_path):
    other = parse_scenario(SCENARIO.replace('mean = "7%"', 'mean = "8.5%"'))
    with _NoGlyphProblems():
        drawn = charts.run_charts(summary, fonts)
        drawn |= charts.comparison_charts(compare([scenario, other], 20_000, seed=3), fonts)
        drawn |= charts.sensitivity_charts(sensitivity(scenario, "gdp", 4_000, seed=3), fonts)
        written = figures.save_charts(drawn, tmp_path, fonts)
    stems = [
        "overview",
        "outcome-gdp",
        "outcome-income",
        "outcome-jobs",
        "outcome-firms",
        "outcome-unemployment",
        "compare-overview",
        "tornado-gdp",
    ]
    assert sorted(written) == sorted(f"{s}.{x}" for s in stems for x in ("png", "svg"))
    _check_files(tmp_path, stems)


def test_without_a_chinese_font_labels_drop_chinese_and_say_how_to_install_one(summary, tmp_path):
    fonts = figures.ChartFonts(None)
    assert "fonts-wqy-microhei" in fonts.hint
    assert fonts.name("地区生产总值", "gdp") == "gdp"
    assert fonts.say("{name}: what drives P(hit)", name="gdp") == "gdp: what drives P(hit)"  # English, not boxes
    assert fonts.text("≥ 8%, 力争 ≥ 9%") == "≥ 8%, ≥ 9%"
    with _NoGlyphProblems():  # no Chinese character reaches DejaVu Sans, so no empty boxes
        figures.save_charts(charts.run_charts(summary, fonts), tmp_path, fonts)
    _check_files(tmp_path, ["overview", "outcome-gdp"])


def _words(drawn) -> str:
    """Every text drawn on the drawn (titles, labels, ticks, legends, notes)."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for f in drawn for t in f.findobj(Text) if t.get_text())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_speak_the_language_in_use(fonts, lang):
    from growthsim.i18n import use

    use(lang)  # before parsing, as the command line does: a target's words are made when it is read
    scenario = parse_scenario(SCENARIO)
    summary = simulate(scenario, 2000, seed=3)
    drawn = [
        *charts.run_charts(summary, fonts).values(),
        *charts.comparison_charts(compare([scenario, scenario], 2000, 1), fonts).values(),
        *charts.sensitivity_charts(sensitivity(scenario, "gdp", 2000, 1), fonts).values(),
    ]
    words = _words(drawn)
    units = {i.unit for i in scenario.indicators}  # the scenario's units are its data: 人, 家
    chinese = [w for w in re.findall(r"[\u4e00-\u9fff]+", words) if w not in units]
    if lang == "zh":
        for phrase in ("各目标达标概率", "中位数", "绿色：达标区域", "什么左右达标概率", "情景比较", "很可能"):
            assert phrase in words
        assert not re.search(r"\b(?:P\(hit\)|draws|median|stretch|seed|scenario)\b", words), words
    else:
        assert not chinese, chinese
        for phrase in ("P(hit) of each target", "median", "green: hit region", "what drives P(hit)", "likely"):
            assert phrase in words


def test_a_chinese_font_is_found_and_used(fonts):
    from matplotlib import font_manager

    assert fonts.cjk in {entry.name for entry in font_manager.fontManager.ttflist}
    path = font_manager.findfont(font_manager.FontProperties(family=fonts.cjk), fallback_to_default=False)
    assert figures._covers_probe(path)


def test_placeholder_fonts_are_never_taken_for_chinese():
    """matplotlib (3.11 on) ships "Last Resort High-Efficiency", whose character map claims every
    code point and draws each as a box: it was once picked as the Chinese font."""
    import matplotlib
    from matplotlib import font_manager

    bundled = [
        entry for entry in font_manager.fontManager.ttflist if entry.fname.startswith(matplotlib.get_data_path())
    ]
    assert bundled, "matplotlib's own fonts are in its font list"
    assert figures._real_cjk_font(bundled) is None
    last_resort = [entry.fname for entry in bundled if "LastResort" in entry.fname]
    for path in last_resort:  # its map claims the probe characters, but with one glyph for all
        assert not figures._covers_probe(path)


_FRESH_CACHE_PROBE = "from growthsim.output import figures; print(figures.chart_fonts().cjk)"


def test_a_fresh_matplotlib_cache_finds_a_real_chinese_font_or_none(tmp_path):
    """As on a machine that has never run matplotlib: an empty MPLCONFIGDIR and HOME."""
    import subprocess
    import sys

    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"), HOME=str(tmp_path / "home"))
    completed = subprocess.run(
        [sys.executable, "-c", _FRESH_CACHE_PROBE], capture_output=True, text=True, env=env, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    found = completed.stdout.strip()
    if found == "None":
        if REQUIRE_SYSTEM_PACKAGES:
            pytest.fail("no Chinese font found on the CI machine: .ci/run installs fonts-wqy-microhei")
        return  # no Chinese font on this machine: the charts drop Chinese and say how to install one
    assert "Last Resort" not in found
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=found), fallback_to_default=False)
    assert figures._covers_probe(path), (found, path)


def test_a_font_installed_after_matplotlibs_cache_was_built_is_found(fonts, monkeypatch):
    """After `apt install fonts-wqy-microhei`, matplotlib's cache does not list the new font until
    it is rebuilt: chart_fonts must find it anyway (and not settle for a placeholder)."""
    from matplotlib import font_manager

    files = {entry.fname for entry in font_manager.fontManager.ttflist if entry.name == fonts.cjk}
    real = [entry for entry in font_manager.fontManager.ttflist if entry.fname in files]
    stale = [entry for entry in font_manager.fontManager.ttflist if entry.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    figures.chart_fonts.cache_clear()
    try:
        found = figures.chart_fonts()
    finally:
        figures.chart_fonts.cache_clear()
    assert real and found.cjk == fonts.cjk


def test_the_shaded_region_holds_the_reported_probability(summary):
    """The outcome chart's bars come from the quantile profile; their mass inside the target's
    interval must equal P(hit), to the profile's resolution (its points are 0.2% apart)."""
    for row in summary.indicators:
        lower, upper = row.indicator.target.bounds
        profile = np.asarray(row.profile)
        integer = row.indicator.kind == "count"
        edges, shares = charts._bins(
            profile, profile[0], profile[-1], [b for b in (lower, upper) if math.isfinite(b)], integer
        )
        centres = (edges[:-1] + edges[1:]) / 2
        inside = shares[(centres >= lower) & (centres <= upper)].sum()
        assert abs(shares.sum() - 0.998) < 0.004, row.indicator.id
        assert abs(inside - row.hit.p) < 0.006, (row.indicator.id, inside, row.hit.p)


def test_the_profile_is_the_tested_quantitys_quantiles(summary):
    """For a normal growth the profile matches the closed-form quantiles within Monte Carlo error."""
    gdp = next(r for r in summary.indicators if r.indicator.id == "income")  # relative: own - gdp's growth
    assert len(gdp.profile) == len(PROFILE_PROBABILITIES)
    assert np.all(np.diff(gdp.profile) >= 0)
    # income - gdp: independent normals (gdp's mixed with the event), compare the median loosely and
    # the profile with the difference quantiles the run reports
    assert gdp.profile[249] == pytest.approx(gdp.difference_quantiles["p50"], abs=2e-3)
    jobs = next(r for r in summary.indicators if r.indicator.id == "jobs")
    for k in (24, 249, 474):  # p5, p50, p95
        expected = norm.ppf(PROFILE_PROBABILITIES[k], 12500, 600)
        assert abs(jobs.profile[k] - expected) < 25


def test_tick_labels_say_exactly_where_the_ticks_are(summary):
    """A tick at 4.75% must not read 4.8% (the target line may sit at 4.8%)."""
    fonts = figures.ChartFonts(None)
    for row in summary.indicators:
        figure = charts.outcome_chart(row, summary.n_draws, fonts)
        axes = figure.axes[0]
        figure.canvas.draw()
        for tick in axes.xaxis.get_major_ticks():
            label = tick.label1.get_text()
            if not label or not axes.get_xlim()[0] <= tick.get_loc() <= axes.get_xlim()[1]:
                continue
            scale = 0.01 if label.endswith(("%", "pp")) else 1.0
            value = float(label.rstrip("%p").replace(",", "")) * scale
            assert value == pytest.approx(tick.get_loc(), abs=1e-9 + 1e-9 * abs(value)), (row.indicator.id, label)


def test_same_run_same_files(scenario, tmp_path):
    """Two runs with the same seed give byte-identical chart files (no dates, stable SVG ids)."""
    fonts = figures.ChartFonts(None)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        run = simulate(scenario, 5_000, seed=8)
        figures.save_charts({"overview": charts.overview_chart(run, fonts)}, tmp_path / folder, fonts)
    for suffix in ("png", "svg"):
        first, second = (tmp_path / folder / f"overview.{suffix}" for folder in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()


def test_tornado_leaves_out_inputs_without_effect_and_orders_by_swing(scenario, fonts):
    results = sensitivity(scenario, "gdp", 4_000, seed=3)
    figure = charts.tornado_chart(results[0], fonts=fonts)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["地区生产总值", "疫情反复"]  # the others do not move gdp's P(hit)


runner = CliRunner()
SMALL = ["--draws", "4000", "--seed", "5"]


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_plot_option_on_run_compare_and_sensitivity(scenario_file, tmp_path):
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--plot", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "run").iterdir()} >= {"overview.png", "overview.svg", "outcome-gdp.svg"}
    result = runner.invoke(
        app, ["compare", str(scenario_file), str(scenario_file), *SMALL, "--plot", str(tmp_path / "cmp")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == ["compare-overview.png", "compare-overview.svg"]
    result = runner.invoke(
        app, ["sensitivity", str(scenario_file), "-i", "gdp", "-n", "2000", "--plot", str(tmp_path / "sens")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "sens").iterdir()) == ["tornado-gdp.png", "tornado-gdp.svg"]


def test_plot_into_the_out_folder_is_listed_in_its_manifest(scenario_file, tmp_path):
    import json

    out = tmp_path / "result"
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--out", str(out), "--plot", str(out)])
    assert result.exit_code == 0, result.output
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "overview.png" in files and "summary.csv" in files
    # running again replaces the folder whole: charts count as growthsim's own files
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--out", str(out), "--plot", str(out)])
    assert result.exit_code == 0, result.output


def test_one_commands_folder_is_never_replaced_by_anothers(scenario_file, tmp_path):
    """A planner keeps one folder of results or of charts: another command must not wipe it."""
    results = tmp_path / "results"
    assert runner.invoke(app, ["run", str(scenario_file), *SMALL, "--out", str(results)]).exit_code == 0
    before = sorted(p.name for p in results.iterdir())
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--plot", str(results)])
    assert result.exit_code == 1 and "中存有另一条 growthsim 命令的输出" in result.output
    assert "请给 --out 和 --plot 同一个文件夹" in result.output
    assert sorted(p.name for p in results.iterdir()) == before
    drawn = tmp_path / "图表"
    assert runner.invoke(app, ["run", str(scenario_file), *SMALL, "--plot", str(drawn)]).exit_code == 0
    result = runner.invoke(app, ["compare", str(scenario_file), str(scenario_file), *SMALL, "--plot", str(drawn)])
    assert result.exit_code == 1 and "请为 --plot 另选文件夹" in result.output
    assert (drawn / "overview.png").exists()


def test_an_edited_result_file_is_not_overwritten(scenario_file, tmp_path):
    results = tmp_path / "results"
    assert runner.invoke(app, ["run", str(scenario_file), *SMALL, "--out", str(results)]).exit_code == 0
    with open(results / "summary.csv", "a", encoding="utf-8-sig") as f:
        f.write("my note,,,\n")
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--out", str(results)])
    assert result.exit_code == 1 and "summary.csv 在 growthsim 写出后被改动过" in result.output
    assert (results / "summary.csv").read_text(encoding="utf-8-sig").endswith("my note,,,\n")


def test_plot_refuses_a_folder_with_other_files_before_running(scenario_file, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.docx").write_text("x")
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--plot", str(folder)])
    assert result.exit_code == 1
    assert "中已有其他文件（notes.docx）" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["notes.docx"]


def test_plot_without_matplotlib_says_how_to_install_it(scenario_file, tmp_path, monkeypatch):
    def missing():
        raise figures.ChartsUnavailable(figures.INSTALL_HINT)

    monkeypatch.setattr(figures, "require_matplotlib", missing)
    result = runner.invoke(
        app, ["run", str(scenario_file), *SMALL, "--plot", str(tmp_path / "p"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "pip install 'growthsim[plot]'" in result.output
    assert not (tmp_path / "p").exists() and not (tmp_path / "o").exists()


def test_a_failure_while_drawing_leaves_neither_folder(scenario_file, tmp_path, monkeypatch):
    """--out and --plot in different folders: the charts are drawn before --out is committed."""

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(figures, "save_charts", broken)
    result = runner.invoke(
        app, ["run", str(scenario_file), *SMALL, "--out", str(tmp_path / "o"), "--plot", str(tmp_path / "p")]
    )
    assert result.exit_code == 1 and "没有写出任何文件" in result.output
    assert list(tmp_path.iterdir()) == [scenario_file]


def test_a_failure_while_drawing_leaves_no_chart_folder(scenario_file, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(figures, "save_charts", broken)
    result = runner.invoke(app, ["run", str(scenario_file), *SMALL, "--plot", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "磁盘已满" in result.output
    assert list(tmp_path.iterdir()) == [scenario_file]
