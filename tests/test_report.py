"""The HTML report (#5 §4): its content, its files, and how it behaves in a real browser.

The browser test drives Debian's Chromium through chromedriver with the W3C WebDriver protocol
(plain HTTP and JSON, so no client library is needed): it loads the report, reads the browser's
console log (a blocked request or a broken image is logged there), checks the headings and that
every chart decoded, that the page fits a laptop screen, and prints it to PDF.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from growthsim import load_scenario
from growthsim.cli import app

from .conftest import scenario_text

pytest.importorskip("matplotlib")

from growthsim.output.report import GENERATOR, build_report
from growthsim.output.report_html import report_html

REQUIRE_SYSTEM_PACKAGES = bool(os.environ.get("GROWTHSIM_CI"))  # set by .ci/run, which installs chromium

SCENARIO = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    baseline = 100
    source = "一(一)"
    target = { at_least = "8%", text = "增长8%", source = "二" }
    growth = { dist = "normal", mean = "7%", sd = "1pp", rationale = "假设：与上年持平" }

    [indicators.gdp_per_capita]
    name = "人均GDP"
    unit = "元"
    kind = "derived"
    metric = "growth"
    formula = "(1 + gdp.growth) / (1 + pop.growth) - 1"
    target = { at_least = "8%", source = "二" }

    [indicators.pop]
    name = "常住人口增长率"
    unit = "万人"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "0.5%", sd = "0.3pp", rationale = "t" }

    [indicators.jobs]
    name = "城镇新增就业"
    unit = "人"
    kind = "count"
    target = { at_least = 12000, source = "二" }
    level = { dist = "normal", mean = 12800, sd = 600, rationale = "t" }

    [events.epidemic]
    name = "疫情反复"
    probability = "20%"
    rationale = "t"
    effects = [{ indicator = "gdp", add = "-2pp" }]
    """
)
TARGETS = ["gdp", "gdp_per_capita", "jobs"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    base = folder / "base.toml"
    base.write_text(SCENARIO, encoding="utf-8")
    low = folder / "low.toml"
    low.write_text(
        SCENARIO.replace('mean = "7%"', 'mean = "5%"').replace('name = "test"', 'name = "下行"'), encoding="utf-8"
    )
    return base, low


@pytest.fixture(scope="module")
def one(files):
    return build_report([load_scenario(files[0])], 20_000, 7, analysis_draws=4_000)


@pytest.fixture(scope="module")
def two(files):
    return build_report([load_scenario(p) for p in files], 20_000, 7, analysis_draws=4_000)


class _Page(HTMLParser):
    """The parts of a page the tests look at: headings, images, links and meta tags."""

    def __init__(self, text: str):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict] = []
        self.links: list[str] = []
        self.meta: list[dict] = []
        self.ids: list[str] = []
        self._heading: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in ("h1", "h2", "h3"):
            self._heading = tag
            self.headings.append((tag, ""))
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "a":
            self.links.append(attrs.get("href", ""))
        elif tag == "meta":
            self.meta.append(attrs)
        for name in ("src", "href"):
            assert not re.match(r"^(https?:)?//", attrs.get(name, "")), f"{tag} fetches {attrs[name]}"

    def handle_endtag(self, tag):
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def test_one_scenario_report_has_every_part(one):
    page = _Page(report_html(one))
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["结论摘要", "一、概览：各目标达标概率", "二、各目标详情（test）", "三、假设与来源", "四、运行记录"]
    assert page.headings[0] == ("h1", "test：2023年目标达成概率")
    assert [i for i in page.ids if i.startswith("t-")] == [f"t-{t}" for t in TARGETS]
    # charts: the overview, one per target, a tornado where an input moves the target
    alts = [image["alt"] for image in page.images]
    assert alts[0] == "test：各目标达标概率"
    assert sum(a.endswith("的预测分布") for a in alts) == len(TARGETS)
    assert "地区生产总值的驱动因素" in alts
    for image in page.images:
        assert image["src"].startswith("data:image/svg+xml;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1]).lstrip().startswith(b"<svg")
    # every internal link has its anchor
    assert {link[1:] for link in page.links if link.startswith("#")} <= set(page.ids)
    csp = next(m for m in page.meta if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp["content"]
    assert any(m.get("name") == "generator" and m["content"].startswith(GENERATOR) for m in page.meta)


def test_the_report_says_what_it_would_take_and_cites_its_sources(one):
    text = report_html(one)
    # P(hit) is about 16%: the mean must rise; named in words, with the key for those who edit the file
    assert '需把地区生产总值增速的均值<span class="small">（<code>gdp.growth.mean</code>）</span>从 7% 调到 <b>' in text
    assert "已有80%以上把握：城镇新增就业的均值" in text and "即使从 12,800人 变为 <b>" in text
    assert "该指标由公式推算，见下方驱动因素" in text  # derived: no assumption of its own
    assert "出处：一(一)" in text and "假设：与上年持平" in text
    assert "sha256" in text and one.manifest["seed"] == 7
    assert re.search(r"生成于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（北京时间）", text)  # the planners' clock


def test_the_advice_matches_the_closed_form(one):
    """jobs ~ N(12800, 600) rounded, hit when >= 12000: 80% needs a mean of 11999.5 + 600 z(0.8)."""
    from scipy.stats import norm

    needed = float(one.advice["jobs"].needed.removesuffix("人"))
    assert abs(needed - (11999.5 + 600 * norm.ppf(0.8))) < 40  # 4 MC errors at 4,000 draws, carried through


def test_goal_seeks_on_every_core_match_one_core(files, monkeypatch):
    import growthsim.engine.run as engine

    scenario = load_scenario(files[0])
    parallel = build_report([scenario], 5_000, 7, analysis_draws=2_000).advice
    monkeypatch.setattr(engine, "usable_cores", lambda: 1)
    assert build_report([scenario], 5_000, 7, analysis_draws=2_000).advice == parallel


def test_several_scenarios_add_the_comparison(two):
    page = _Page(report_html(two))
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2[2] == "二、情景比较" and len(h2) == 6
    assert "情景比较" in [image["alt"] for image in page.images]
    assert sum(text == "下行" for tag, text in page.headings if tag == "h3") >= 2  # overview and assumptions


runner = CliRunner()


def test_report_command_writes_one_file_and_replaces_only_its_own(files, tmp_path):
    out = tmp_path / "报告" / "report.html"
    args = ["report", str(files[0]), "--html", str(out), "-n", "5000", "--analysis-draws", "2000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left
    result = runner.invoke(app, args)  # an earlier report is replaced
    assert result.exit_code == 0, result.output
    mine = tmp_path / "mine.html"
    mine.write_text("<html>my own page</html>", encoding="utf-8")
    result = runner.invoke(app, ["report", str(files[0]), "--html", str(mine)])
    assert result.exit_code == 1 and "不是 growthsim 写的" in result.output
    assert mine.read_text(encoding="utf-8") == "<html>my own page</html>"
    result = runner.invoke(app, ["report", str(files[0]), "--html", str(tmp_path)])
    assert result.exit_code == 1 and "是文件夹" in result.output
    result = runner.invoke(
        app, ["report", str(files[0]), "--html", str(tmp_path / "简报"), "-n", "2000", "--analysis-draws", "1000"]
    )
    assert result.exit_code == 0 and (tmp_path / "简报.html").exists()  # opens with a double click


def test_a_failure_while_writing_leaves_nothing(files, tmp_path, monkeypatch):
    import growthsim.output.report_html as page

    def broken(_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(page, "report_html", broken)
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(files[0]), "--html", str(out), "-n", "2000", "--analysis-draws", "1000"])
    assert result.exit_code == 1 and "磁盘已满" in result.output
    assert list(tmp_path.iterdir()) == []


def test_commands_on_a_scenario_without_targets_say_so(tmp_path):
    path = tmp_path / "none.toml"
    path.write_text(
        scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        growth = { dist = "normal", mean = "7%", sd = "1pp", rationale = "t" }
        """),
        encoding="utf-8",
    )
    for args in (
        ["report", str(path), "--html", str(tmp_path / "r.html")],
        ["sensitivity", str(path)],
        ["run", str(path), "--precision", "0.5pp"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert "没有目标" in result.output and "内部错误" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_report_with_a_broken_scenario_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.replace('sd = "1pp"', 'sd = "-1pp"'), encoding="utf-8")
    result = runner.invoke(app, ["report", str(bad), "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert "bad.toml:" in result.output and "sd" in result.output
    assert not (tmp_path / "r.html").exists()


# --- in a real browser ------------------------------------------------------------------------------


def _browser() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


class WebDriver:
    """Just enough of the W3C WebDriver protocol: a session, navigation, scripts, logs, print."""

    def __init__(self, chromium: str, driver: str, profile: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [driver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
        ]
        session = self._call(
            "POST",
            "/session",
            {
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "chrome",
                        "goog:chromeOptions": {"binary": chromium, "args": args},
                        "goog:loggingPrefs": {"browser": "ALL"},
                    }
                }
            },
        )
        self.session = f"/session/{session['sessionId']}"

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def open(self, url: str) -> None:
        self._call("POST", f"{self.session}/url", {"url": url})

    def run(self, script: str):
        return self._call("POST", f"{self.session}/execute/sync", {"script": script, "args": []})

    def console(self) -> list[dict]:
        return self._call("POST", f"{self.session}/se/log", {"type": "browser"})

    def cdp(self, command: str, params: dict) -> None:
        """A Chrome DevTools command (Emulation.setEmulatedMedia: lay the page out as printed)."""
        self._call("POST", f"{self.session}/goog/cdp/execute", {"cmd": command, "params": params})

    def resize(self, width: int, height: int) -> None:
        self._call("POST", f"{self.session}/window/rect", {"width": width, "height": height})

    def print_pdf(self) -> bytes:
        return base64.b64decode(self._call("POST", f"{self.session}/print", {"background": True}))

    def close(self) -> None:
        try:
            self._call("DELETE", self.session)
        finally:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    found = _browser()
    if found is None:
        if REQUIRE_SYSTEM_PACKAGES:
            pytest.fail("chromium and chromedriver are missing on the CI machine: .ci/run installs them")
        pytest.skip("no chromium/chromedriver (apt install chromium chromium-driver)")
    driver = WebDriver(*found, tmp_path_factory.mktemp("profile"))
    yield driver
    driver.close()


def test_the_report_in_a_real_browser(two, browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(report_html(two), encoding="utf-8")
    browser.open(path.as_uri())
    state = browser.run("""
        return {
          title: document.title,
          headings: Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent),
          images: Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0,
                                                         width: i.getBoundingClientRect().width})),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          fontSize: parseFloat(getComputedStyle(document.body).fontSize),
        };""")
    assert state["title"] == "2023年目标达成概率：2个情景比较"
    assert state["headings"] == [
        "2023年目标达成概率：2个情景比较",
        "结论摘要",
        "一、概览：各目标达标概率",
        "二、情景比较",
        "三、各目标详情（test）",
        "四、假设与来源",
        "五、运行记录",
    ]
    assert len(state["images"]) >= 2 + 1 + len(TARGETS)
    broken = [image["alt"] for image in state["images"] if not image["ok"] or image["width"] < 300]
    assert not broken, f"charts that did not show: {broken}"
    assert state["overflow"] <= 0, "the page scrolls sideways on a 1280-pixel laptop screen"
    assert state["fontSize"] >= 14
    problems = [entry["message"] for entry in browser.console() if entry["level"] in ("SEVERE", "WARNING")]
    assert not problems, problems  # a blocked request (CSP), a failed image or a script error shows here
    pdf = browser.print_pdf()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 4


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory):
    """The shipped baseline (17 targets) as a planner would print it."""
    from .conftest import BASELINE

    path = tmp_path_factory.mktemp("print") / "baseline.html"
    path.write_text(
        report_html(build_report([load_scenario(BASELINE)], 20_000, 7, analysis_draws=2_000)), encoding="utf-8"
    )
    return path


def test_the_baseline_report_prints_on_a_dozen_a4_pages_with_whole_words_in_every_cell(baseline_report, browser):
    browser.resize(1280, 900)
    browser.open(baseline_report.as_uri())
    pdf = browser.print_pdf()  # A4 (the page's @page rule), as a planner's browser prints it
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages <= 12, f"{pages} pages: a printed report should be about a dozen"
    # The page laid out as printed, at the width of A4's text (186 mm at 96 px/inch): no table cell
    # narrower than a word (4 Chinese characters), none whose content spills out
    browser.cdp("Emulation.setEmulatedMedia", {"media": "print"})
    browser.resize(703 + 16, 1000)
    narrow = browser.run("""
        const cells = Array.from(document.querySelectorAll('td, th'));
        return cells.filter(c => c.offsetParent !== null).map(c => {
          const size = parseFloat(getComputedStyle(c).fontSize);
          const range = document.createRange();
          range.selectNodeContents(c);
          const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
          return {text: c.textContent.slice(0, 20), width: c.getBoundingClientRect().width, size: size,
                  lines: lines, spills: c.scrollWidth > c.clientWidth + 1};
        }).filter(c => (c.lines > 1 && c.width < 4 * c.size) || c.spills);""")  # wrapped in a sliver, or cut
    assert not narrow, narrow[:5]
    side_by_side = browser.run("""
        const figures = Array.from(document.querySelectorAll('.charts figure'));
        return figures.length > 1 && figures[0].getBoundingClientRect().top === figures[1].getBoundingClientRect().top;""")
    assert side_by_side, "a target's two charts share a row on paper"


# --- the year so far (#15) -----------------------------------------------------------------------

RELEASES = {
    "1-3月.csv": "指标,时期,累计值,累计增长(%)\n地区生产总值,一季度,,7.2\n城镇新增就业,1-3月,2800,\n",
    "1-6月.csv": "指标,时期,累计值,累计增长(%)\n地区生产总值,上半年,,7.6\n城镇新增就业,1-6月,6000,\n",
    "1-9月.csv": "指标,时期,累计值,累计增长(%)\n地区生产总值,前三季度,,7.9\n城镇新增就业,1-9月,9100,\n",
}


@pytest.fixture(scope="module")
def year(files):
    """The base scenario as of H1, its runs of Q1 and H1 in a run history (and another scenario's
    run as of Q1–Q3 beside them, which is not its history), and its report."""
    from growthsim.output.history import read_history
    from growthsim.scenario.actuals import read_actuals

    folder = files[0].parent
    for name, text in RELEASES.items():
        (folder / name).write_text(text, encoding="utf-8")
    history = folder / "h.sqlite"
    for scenario, release in ((files[0], "1-3月.csv"), (files[0], "1-6月.csv"), (files[1], "1-9月.csv")):
        args = ["run", str(scenario), "-n", "4000", "--actuals", str(folder / release), "--history", str(history)]
        assert runner.invoke(app, args).exit_code == 0
    plain = load_scenario(files[0])
    scenario = dataclasses.replace(plain, actuals=read_actuals(folder / "1-6月.csv", plain))
    records = read_history(history, scenario.sha256)
    built = build_report([scenario], 20_000, 7, analysis_draws=2_000, history=records, history_file=str(history))
    return scenario, built


def test_with_actuals_the_report_has_the_year_so_far_beside_januarys_odds(year):
    from growthsim.analysis.yeartodate import january_odds, year_to_date
    from growthsim.engine.model import compile_model
    from growthsim.i18n import _
    from growthsim.output.html import esc, probability_cell
    from growthsim.output.yeartodate import actual_text, needs_lines

    scenario, built = year
    text = report_html(built)
    page = _Page(text)
    h2 = [words for tag, words in page.headings if tag == "h2"]
    assert h2[1:4] == ["一、概览：各目标达标概率", "二、" + _("The year so far"), "三、各目标详情（test）"]
    assert "year" in page.ids and "#year" in page.links
    # January's odds: the same draws without the actuals, as `run` computes them
    expected = january_odds(compile_model(dataclasses.replace(scenario, actuals=None)), 20_000, 7)
    assert {k: v.p for k, v in built.january.items()} == {k: v.p for k, v in expected.items()}
    section = text[text.index('<h2 id="year">') : text.index('<h2 id="targets">')]
    now = {row.indicator.id: row.hit for row in built.summaries[0].indicators if row.hit is not None}
    for known in year_to_date(scenario):
        row = section[section.index(f"<td>{esc(known.indicator.name)}</td>") :].split("</tr>")[0]
        assert esc(actual_text(known)) in row and "上半年" in row
        assert (
            probability_cell(now[known.indicator.id]) in row and probability_cell(expected[known.indicator.id]) in row
        )
    assert "<td>人均GDP</td>" not in section.split("<h3>")[0]  # no actuals of its own: not in the year's table
    lines = needs_lines(built.summaries[0])
    assert len(lines) == 2 and all(esc(line) in section for line in lines)
    # the run history of this scenario (not the other's Q1–Q3 run): the chart, then the table
    assert built.history and {r.scenario_sha256 for r in built.history} == {scenario.sha256}
    [chart] = [image for image in page.images if image["alt"] == _("How the odds moved through the year")]
    assert base64.b64decode(chart["src"].split(",", 1)[1]).lstrip().startswith(b"<svg")
    table = section[section.rindex("<table>") :]
    assert re.findall(r'<th class="num">([^<]*)</th>', table) == ["年初", "一季度", "上半年"]
    assert "前三季度" not in section.split("<h3>", 2)[-1]


def test_without_actuals_the_report_has_no_year_so_far_even_given_a_history(files, year):
    built = build_report([load_scenario(files[0])], 4_000, 7, analysis_draws=1_000, history=year[1].history)
    text = report_html(built)
    assert built.january is None and not built.history and "history" not in built.charts
    assert 'id="year"' not in text and "#year" not in text


def test_report_reads_the_run_history_given_or_by_default_and_refuses_one_that_is_not(
    files, year, tmp_path, monkeypatch
):
    from growthsim.i18n import _

    folder = files[0].parent
    args = ["report", str(files[0]), "--actuals", str(folder / "1-6月.csv"), "-n", "4000", "--analysis-draws", "1000"]
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*args, "--html", "given.html", "--history", str(folder / "h.sqlite")])
    assert result.exit_code == 0, result.output
    given = (tmp_path / "given.html").read_text(encoding="utf-8")
    assert 'id="year"' in given and _("How the odds moved through the year") in [i["alt"] for i in _Page(given).images]
    assert "h.sqlite" in given and "一季度" in given
    result = runner.invoke(app, [*args, "--html", "default.html"])  # outputs/history.sqlite here: none yet
    assert result.exit_code == 0, result.output
    default = (tmp_path / "default.html").read_text(encoding="utf-8")
    assert 'id="year"' in default and "h.sqlite" not in default and "一季度" not in default
    assert not (tmp_path / "outputs").exists()  # reading a history never creates one
    (tmp_path / "notes.sqlite").write_text("我的笔记\n" * 100, encoding="utf-8")
    result = runner.invoke(app, [*args, "--html", "bad.html", "--history", "notes.sqlite"])
    assert result.exit_code == 1 and "不是 growthsim 的运行记录" in result.output
    assert "…" not in result.output and not (tmp_path / "bad.html").exists()  # refused before the long run


def test_the_year_so_far_in_a_real_browser(year, browser, tmp_path):
    path = tmp_path / "year.html"
    path.write_text(report_html(year[1]), encoding="utf-8")
    browser.open(path.as_uri())
    state = browser.run("""
        const year = document.getElementById('year');
        return {
          images: Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0})),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          heading: year && year.textContent,
        };""")
    assert state["heading"] and all(image["ok"] for image in state["images"]), state["images"]
    assert state["overflow"] <= 0
    problems = [entry["message"] for entry in browser.console() if entry["level"] in ("SEVERE", "WARNING")]
    assert not problems, problems
