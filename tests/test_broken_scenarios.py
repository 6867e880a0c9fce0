"""A catalogue of broken scenario files and the exact messages a planner sees for each.

Every file in tests/broken/ holds one mistake a planner copying and editing a scenario would
plausibly make (its first line says which), except many-mistakes.toml, which holds many. For each
file, CATALOGUE lists the exact headlines (``file:line:col: key.path: message``) that
``load_scenario`` must report, in order, and nothing else. The files are loaded from inside
tests/broken/ so that the headlines start with the bare file name, exactly as
``growthsim validate`` prints them.

Entries listed in POOR are messages that growthsim does not yet produce: the table holds the
message it *should* produce, and the test is a strict xfail whose reason says what is wrong today.
When src is fixed, the xfail turns into an unexpected pass, and the entry leaves POOR.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from growthsim import Diagnostic, ScenarioError, load_scenario

from .conftest import BASELINE, REPO, scenario_text


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


BROKEN = Path(__file__).resolve().parent / "broken"

# Files in tests/broken/ that are not broken: they must load, with no warnings.
LOADS_FINE = {"utf8-bom", "link-parent"}

_KINDS = (
    "flow (an amount per year (GDP, investment ...): the assumption is its growth rate), "
    "rate (a rate or share (unemployment, CPI ...): the assumption is its 2023 level), "
    "change (a change of a rate in percentage points (urbanisation +0.8pp): the assumption is the change), "
    "count (a whole number (new firms, new jobs ...): the assumption is the 2023 count), "
    "derived (a formula of other indicators on the same draw (per-capita GDP ...): no assumption of its own)"
)
_DISTS = "normal, lognormal, uniform, triangular, pert, split_normal, student_t, fixed, empirical, poisson, negative_binomial"
_TARGET_FORMS = "at_least, at_most, about, between, relative_to"
_SIDE = (
    "missing 'side': one of at_least, at_most, both (at_least: no more than the tolerance below; "
    "at_most: no more than the tolerance above; both: within it either way)"
)
# a Chinese id, bare (a TOML error) or quoted (an id error): the same hint, the one that works
_ASCII_ID = (
    "'{key}' cannot be an id: ids are ASCII (lower-case letters, digits and _, such as gdp). Write the id "
    'in the header and the Chinese in name, e.g. [indicators.gdp] and on the next line name = "{key}"'
)

CATALOGUE: dict[str, list[str]] = {
    # -- not valid TOML -----------------------------------------------------------------------
    "unquoted-chinese-keys": [
        f"unquoted-chinese-keys.toml:11:13: {_ASCII_ID.format(key='地区生产总值')}",
        "unquoted-chinese-keys.toml:12:1: key '名称' must be an ASCII word: TOML allows only ASCII letters, "
        "digits, '_' and '-' in bare keys, and growthsim's keys are English (name, unit, kind ...); "
        'Chinese text goes in the values, e.g. name = "..."',
    ],
    "bare-percent": [
        "bare-percent.toml:26:11: not valid TOML: Expected newline or end of document after a statement; "
        'percentages must be quoted, e.g. mean = "8%"',
    ],
    "unquoted-unit": [
        "unquoted-unit.toml:16:17: not valid TOML: a number with a unit is text to TOML: write it in quotes, "
        'baseline = "582.4亿元" (or the bare number, baseline = 582.4, in the indicator\'s unit)',
    ],
    "correlation-misspelt": [  # alone: the correlations it leaves cannot hold together, but no repair is tried
        "correlation-misspelt.toml:28:34: correlations.gdp.industy: no indicator 'industy'",
    ],
    "bare-text": [
        'bare-text.toml:14:8: not valid TOML: Invalid value; text values must be quoted, e.g. kind = "flow"',
    ],
    "bare-chinese-text": [
        'bare-chinese-text.toml:12:8: not valid TOML: Invalid value; text values must be quoted, e.g. kind = "flow"',
    ],
    "fullwidth-quotes": [
        "fullwidth-quotes.toml:26:8: not valid TOML: Invalid value; “ ” are Chinese quotation marks: "
        'use ASCII quotes, as in mean = "6.5%"',
    ],
    "chinese-comma-in-list": [
        "chinese-comma-in-list.toml:17:16: not valid TOML: Unclosed array; '，' is a Chinese comma: "
        "separate values with an ASCII comma ','",
    ],
    "duplicate-key": [
        "duplicate-key.toml:17:1: not valid TOML: 'baseline' is set twice in [indicators.gdp] "
        "(first at line 16): keep only one",
    ],
    "duplicate-indicator": [
        "duplicate-indicator.toml:30:13: not valid TOML: [indicators.gdp] appears twice (first at line 11): "
        "a copied block needs its own id, e.g. [indicators.gdp_2]",
    ],
    "not-utf8-gbk": [
        "not-utf8-gbk.toml:3: the file is not UTF-8 text. It looks like GBK/GB18030, as some Windows "
        "editors save Chinese text. Save it as UTF-8 and try again.",
    ],
    # -- misspelt keys, at every level ----------------------------------------------------------
    "misspelt-top-level-key": [
        "misspelt-top-level-key.toml:7:2: simulaton: unknown key 'simulaton' (did you mean 'simulation'?); "
        "allowed here: extends, remove_indicators, scenario, simulation, indicators, events, correlations, actuals",
    ],
    "misspelt-scenario-key": [
        "misspelt-scenario-key.toml:4:1: scenario.base_yaer: unknown key 'base_yaer' (did you mean "
        "'base_year'?); allowed here: name, short_name, description, base_year, target_year, source",
    ],
    "misspelt-simulation-key": [
        "misspelt-simulation-key.toml:8:1: simulation.draw: unknown key 'draw' (did you mean 'draws'?); "
        "allowed here: draws, seed, correlation_method",
    ],
    "misspelt-indicator-key": [
        "misspelt-indicator-key.toml:16:1: indicators.gdp.baseine: unknown key 'baseine' (did you mean "
        "'baseline'?); allowed here: name, unit, kind, basis, baseline, growth_2022, source, rationale, note, growth, "
        "level, change, target, drivers, seasonal, measured",
    ],
    "misspelt-assumption-key": [
        "misspelt-assumption-key.toml:24:17: indicators.gdp.growth: normal needs mean/sd or p05/p95 or "
        "p10/p90 or p25/p75; missing mean",
        "misspelt-assumption-key.toml:26:1: indicators.gdp.growth.mena: unknown key 'mena' (did you mean "
        "'mean'?); allowed here: dist, mean, sd, p05, p95, p10, p90, p25, p75, source, rationale",
    ],
    "misspelt-target-key": [
        f"misspelt-target-key.toml:20:17: indicators.gdp.target: a target takes exactly one of: {_TARGET_FORMS} "
        "(found none)",
        "misspelt-target-key.toml:21:1: indicators.gdp.target.at_lest: unknown key 'at_lest' (did you mean "
        "'at_least'?); allowed here: at_least, at_most, about, between, relative_to, tolerance, side, "
        "stretch, source, text",
    ],
    # -- unknown names --------------------------------------------------------------------------
    "unknown-kind": [
        f"unknown-kind.toml:14:8: indicators.gdp.kind: 'flows' is not allowed (did you mean 'flow'?); "
        f"use one of: {_KINDS}",
    ],
    "unknown-basis": [
        "unknown-basis.toml:15:9: indicators.gdp.basis: 'reel' is not allowed (did you mean 'real'?); "
        "use one of: real, nominal",
    ],
    "unknown-side": [
        "unknown-side.toml:22:8: indicators.revenue.target.side: 'atleast' is not allowed (did you mean "
        "'at_least'?); use one of: at_least, at_most, both",
    ],
    "unknown-distribution": [
        "unknown-distribution.toml:25:8: indicators.gdp.growth.dist: unknown distribution 'normall' "
        f"(did you mean 'normal'?) (expected one of: {_DISTS})",
    ],
    "count-distribution-on-flow": [
        "count-distribution-on-flow.toml:25:8: indicators.gdp.growth.dist: poisson is for count indicators "
        "only (this one is a flow); use e.g. normal, split_normal or pert",
    ],
    "dist-as-list": [
        "dist-as-list.toml:25:8: indicators.gdp.growth.dist: expected text in quotes, got a list",
    ],
    # -- numbers written the wrong way ------------------------------------------------------------
    "bare-number-rate": [
        "bare-number-rate.toml:26:8: indicators.gdp.growth.mean: a bare number (8) is ambiguous here "
        '(8% or 800%?): write it quoted with its unit, e.g. "8%"',
    ],
    "bare-number-flow-target": [
        "bare-number-flow-target.toml:21:12: indicators.gdp.target.at_least: 8 is ambiguous for a flow: "
        'write "8%" for a growth target or "8亿元" for a level target',
    ],
    "percent-on-change-target": [
        "percent-on-change-target.toml:17:12: indicators.urbanisation.target.at_least: '0.8%': a change of "
        'a rate is written in percentage points, e.g. "0.8pp" ("%" would suggest a relative change)',
    ],
    "points-on-growth-mean": [
        "points-on-growth-mean.toml:26:8: indicators.gdp.growth.mean: '6.5pp' is in percentage points, "
        'but this is a rate or a growth: write "6.5%"',
    ],
    "points-on-growth-target": [
        "points-on-growth-target.toml:21:12: indicators.gdp.target.at_least: '8pp' is in percentage points, "
        'but a target on a flow is a growth ("8%") or a level in 亿元 ("8亿元")',
    ],
    "wrong-unit-amount": [
        "wrong-unit-amount.toml:21:12: indicators.gdp.target.at_least: unit '万元' in '16万元' does not match "
        "the indicator's unit '亿元': 16万元 = 0.0016亿元; write it in 亿元, e.g. \"0.0016亿元\"",
    ],
    "percent-on-count": [
        "percent-on-count.toml:19:12: indicators.urban_jobs.target.at_least: '5%' is a percentage, but this "
        "value is an amount in 人",
    ],
    "thousands-separator": [
        "thousands-separator.toml:19:12: indicators.urban_jobs.target.at_least: '12,000人': write numbers "
        'without thousands separators, e.g. "12000人"',
    ],
    # -- missing keys --------------------------------------------------------------------------
    "missing-name": ["missing-name.toml:11:13: indicators.gdp: missing required key 'name'"],
    "missing-unit": ["missing-unit.toml:11:13: indicators.gdp: missing required key 'unit'"],
    "missing-kind": [
        "missing-kind.toml:11:13: indicators.gdp: missing required key 'kind': one of flow, rate, change, count, "
        "derived",
    ],
    "missing-basis": [
        "missing-basis.toml:11:13: indicators.gdp: missing required key 'basis': 'real' (comparable prices, "
        "like GDP) or 'nominal' (current prices, like retail sales)",
    ],
    "missing-assumption": [
        "missing-assumption.toml:11:13: indicators.gdp: missing the assumption 'growth': e.g. "
        'growth = { dist = "normal", mean = "6.5%", sd = "1.5pp" }',
    ],
    "missing-dist": [
        f"missing-dist.toml:24:17: indicators.gdp.growth: missing 'dist': which distribution (one of: {_DISTS})",
    ],
    "missing-scenario-name": ["missing-scenario-name.toml:2:2: scenario: missing required key 'name'"],
    "empty-name": ["empty-name.toml:12:8: indicators.gdp.name: must not be empty"],
    # -- keys that do not fit the kind ----------------------------------------------------------
    "wrong-assumption-key": [
        "wrong-assumption-key.toml:24:17: indicators.gdp.level: a flow indicator's assumption is 'growth' "
        "(an amount per year (GDP, investment ...): the assumption is its growth rate), not 'level'",
    ],
    "basis-on-rate": [
        "basis-on-rate.toml:15:1: indicators.unemployment.basis: 'basis' applies to flow indicators only "
        "(this one is a rate)",
    ],
    "growth-2022-on-count": [
        "growth-2022-on-count.toml:16:1: indicators.urban_jobs.growth_2022: growth_2022 applies to flow "
        "indicators only",
    ],
    "level-target-without-baseline": [
        "level-target-without-baseline.toml:19:12: indicators.gdp.target.at_least: a level target on a flow "
        "needs the indicator's baseline (the 2022 level)",
    ],
    # -- relative targets ---------------------------------------------------------------------------
    "relative-to-unknown": [
        "relative-to-unknown.toml:40:15: indicators.income.target.relative_to: no indicator 'gpd' (did you "
        "mean 'gdp'?); indicators in this scenario: gdp, income",
    ],
    "relative-to-itself": [
        "relative-to-itself.toml:40:15: indicators.income.target.relative_to: an indicator cannot be "
        "compared with itself",
    ],
    "relative-to-other-basis": [
        "relative-to-other-basis.toml:40:15: indicators.income.target.relative_to: income grows in nominal "
        "terms but gdp in real terms: compare growths on the same price basis",
    ],
    "relative-to-derived-without-basis": [
        "relative-to-derived-without-basis.toml:42:15: indicators.income.target.relative_to: income declares no "
        "basis, so income's growth cannot be compared with gdp's on the same prices: add basis = \"real\" "
        '(comparable prices) or "nominal" to indicators.income',
    ],
    "relative-to-other-kind": [
        "relative-to-other-kind.toml:36:15: indicators.unemployment.target.relative_to: cannot compare "
        "unemployment's level with gdp's growth",
    ],
    "relative-to-broken-indicator": [
        # only gdp's own mistake: gdp is in the file, so income's relative_to is not wrong
        "relative-to-broken-indicator.toml:15:9: indicators.gdp.basis: 'reel' is not allowed (did you mean "
        "'real'?); use one of: real, nominal",
    ],
    # -- targets ----------------------------------------------------------------------------------
    "stretch-less-demanding": [
        "stretch-less-demanding.toml:22:11: indicators.gdp.target.stretch: a stretch (力争) target must be "
        "more demanding than the floor: at least 8%",
    ],
    "stretch-less-demanding-at-most": [
        "stretch-less-demanding-at-most.toml:18:11: indicators.unemployment.target.stretch: a stretch (力争) "
        "target must be more demanding than the floor: at most 5.5%",
    ],
    "stretch-on-about": [
        "stretch-on-about.toml:23:1: indicators.revenue.target.stretch: 'stretch' goes with at_least or "
        "at_most targets only",
    ],
    "two-target-forms": [
        f"two-target-forms.toml:20:17: indicators.gdp.target: a target takes exactly one of: {_TARGET_FORMS} "
        "(found at_least, about)",
    ],
    "no-target-form": [
        f"no-target-form.toml:20:17: indicators.gdp.target: a target takes exactly one of: {_TARGET_FORMS} "
        "(found none)",
    ],
    "target-shorthand-unreadable": [
        "target-shorthand-unreadable.toml:19:10: indicators.gdp.target: cannot read target '增长8%': write "
        '">= 8%" or "<= 5.5%", or a table such as { about = "7%", tolerance = "0.5pp", side = "at_least" }',
    ],
    "about-without-tolerance": [
        "about-without-tolerance.toml:19:21: indicators.revenue.target: missing 'tolerance': how far from the "
        'value still counts, e.g. tolerance = "0.5pp"',
    ],
    "about-without-side": [f"about-without-side.toml:19:21: indicators.revenue.target: {_SIDE}"],
    "negative-tolerance": [
        "negative-tolerance.toml:21:13: indicators.revenue.target.tolerance: must not be negative",
    ],
    "between-reversed": [
        "between-reversed.toml:17:20: indicators.unemployment.target.between[1]: the high bound must be "
        "greater than the low bound",
    ],
    "between-one-value": [
        "between-one-value.toml:17:11: indicators.unemployment.target.between: expected two values, low and "
        'high, e.g. between = ["2%", "4%"]',
    ],
    # -- distribution parameters ----------------------------------------------------------------
    "sd-zero": ["sd-zero.toml:27:6: indicators.gdp.growth.sd: must be greater than 0 (got 0pp)"],
    "sd-negative": ["sd-negative.toml:27:6: indicators.gdp.growth.sd: must be greater than 0 (got -1.5pp)"],
    "min-greater-than-max": ["min-greater-than-max.toml:27:7: indicators.gdp.growth.max: must be greater than min"],
    "mode-outside-range": ["mode-outside-range.toml:27:8: indicators.gdp.growth.mode: must lie between min and max"],
    "two-distribution-forms": [
        "two-distribution-forms.toml:24:17: indicators.gdp.growth: normal takes mean/sd or p05/p95 or "
        "p10/p90 or p25/p75, one form only; remove p05, p95",
    ],
    # -- simulation and years -------------------------------------------------------------------
    "draws-zero": ["draws-zero.toml:8:9: simulation.draws: must be between 1 and 1,000,000,000 (got 0)"],
    "draws-fractional": ["draws-fractional.toml:8:9: simulation.draws: expected a whole number, got a number 1.5"],
    "seed-negative": [
        "seed-negative.toml:9:8: simulation.seed: must be between 0 and 9,223,372,036,854,775,807 (got -1)",
    ],
    "target-year-not-next": [
        "target-year-not-next.toml:5:15: scenario.target_year: growthsim projects one year ahead: "
        "target_year must be base_year + 1 = 2023",
    ],
    "year-as-text": ["year-as-text.toml:4:13: scenario.base_year: expected a whole number, got text '2022'"],
    "base-year-as-text": [
        # only the real mistake: target_year 2022 is base_year + 1 for the base_year the planner meant
        "base-year-as-text.toml:4:13: scenario.base_year: expected a whole number, got text '2021'",
    ],
    # -- indicator ids -----------------------------------------------------------------------------
    "indicator-id-chinese": [
        f'indicator-id-chinese.toml:11:13: indicators."地区生产总值": {_ASCII_ID.format(key="地区生产总值")}',
    ],
    "indicator-id-uppercase": [
        "indicator-id-uppercase.toml:11:13: indicators.GDP: indicator id 'GDP' must be lower-case ASCII "
        "letters, digits and '_', starting with a letter",
    ],
    # -- many mistakes in one file: all of them, in one pass, sorted by line --------------------------
    "many-mistakes": [
        "many-mistakes.toml:4:1: scenario.base_yaer: unknown key 'base_yaer' (did you mean 'base_year'?); "
        "allowed here: name, short_name, description, base_year, target_year, source",
        "many-mistakes.toml:8:9: simulation.draws: must be between 1 and 1,000,000,000 (got 0)",
        "many-mistakes.toml:9:8: simulation.seed: must be between 0 and 9,223,372,036,854,775,807 (got -1)",
        "many-mistakes.toml:15:9: indicators.gdp.basis: 'reel' is not allowed (did you mean 'real'?); "
        "use one of: real, nominal",
        "many-mistakes.toml:22:11: indicators.gdp.target.stretch: a stretch (力争) target must be more "
        "demanding than the floor: at least 8%",
        "many-mistakes.toml:27:8: indicators.gdp.growth.mean: a bare number (8) is ambiguous here "
        '(8% or 800%?): write it quoted with its unit, e.g. "8%"',
        "many-mistakes.toml:37:11: indicators.unemployment.target.at_most: '5.5pp' is in percentage points, "
        'but this is a rate or a growth: write "5.5%"',
        "many-mistakes.toml:41:8: indicators.unemployment.level.dist: unknown distribution 'normall' "
        f"(did you mean 'normal'?) (expected one of: {_DISTS})",
        "many-mistakes.toml:52:12: indicators.urbanisation.target.at_least: '0.8%': a change of a rate is "
        'written in percentage points, e.g. "0.8pp" ("%" would suggest a relative change)',
        "many-mistakes.toml:58:6: indicators.urbanisation.change.sd: must be greater than 0 (got 0pp)",
        "many-mistakes.toml:66:1: indicators.urban_jobs.growth_2022: growth_2022 applies to flow indicators only",
        "many-mistakes.toml:73:24: indicators.urban_jobs.level: normal needs mean/sd or p05/p95 or p10/p90 "
        "or p25/p75; missing mean",
        "many-mistakes.toml:75:1: indicators.urban_jobs.level.mena: unknown key 'mena' (did you mean "
        "'mean'?); allowed here: dist, mean, sd, p05, p95, p10, p90, p25, p75, source, rationale",
        f"many-mistakes.toml:87:21: indicators.revenue.target: {_SIDE}",
    ],
    # -- links (drivers) ---------------------------------------------------------------------
    "driver-chinese-name": [
        "driver-chinese-name.toml:40:1: indicators.gdp.drivers.\"固定资产投资\": '固定资产投资' is the name of fai: a "
        "link names its driver by its id, fai = { ... }",
    ],
    "driver-unknown": [
        "driver-unknown.toml:40:1: indicators.gdp.drivers.fia: no indicator 'fia' (did you mean 'fai'?)"
    ],
    "driver-missing-elasticity": [
        "driver-missing-elasticity.toml:40:1: indicators.gdp.drivers.fai: missing required key 'elasticity': how "
        "much gdp moves per unit of fai, in pp/pp",
    ],
    "driver-missing-at": [
        "driver-missing-at.toml:40:1: indicators.gdp.drivers.fai: missing required key 'at': the value of fai at "
        'which gdp\'s own assumption is stated, e.g. at = "10%"',
    ],
    "driver-at-bare-number": [
        "driver-at-bare-number.toml:40:32: indicators.gdp.drivers.fai.at: a bare number (10) is ambiguous here "
        '(10% or 1000%?): write it quoted with its unit, e.g. "10%"',
    ],
    "driver-wrong-unit": [
        "driver-wrong-unit.toml:40:22: indicators.gdp.drivers.fai.elasticity: gdp is a growth and fai a growth, "
        "so the elasticity is in pp/pp, not 人/pp: write the elasticity as a number in pp/pp, bare or with its "
        'unit, e.g. elasticity = "…pp/pp"',
    ],
    "driver-itself": [
        "driver-itself.toml:40:1: indicators.gdp.drivers.gdp: an indicator cannot drive itself: its own "
        "assumption already says how it moves",
    ],
    "driver-cycle": [
        "driver-cycle.toml:43:1: indicators.fai.drivers.gdp: the links (and formulas) go round in a circle: "
        "fai -> gdp -> fai (each would need the other's outcome first): remove one of these links, or say with "
        "[correlations] that they move together",
    ],
    "driver-not-a-table": [
        "driver-not-a-table.toml:40:7: indicators.gdp.drivers.fai: expected a table such as fai = { elasticity = "
        '..., at = "10%", rationale = "..." } (a [section] or { ... }), got a number',
    ],
    "driver-huge-elasticity": [
        "driver-huge-elasticity.toml:40:22: indicators.gdp.drivers.fai.elasticity: an elasticity must be a "
        "finite number of at most 1e+06 pp/pp either way (got 1e+300)",
    ],
    "driver-misspelt-key": [
        "driver-misspelt-key.toml:40:1: indicators.gdp.drivers.fai: missing required key 'elasticity': how much "
        "gdp moves per unit of fai, in pp/pp",
        "driver-misspelt-key.toml:40:9: indicators.gdp.drivers.fai.elasticty: unknown key 'elasticty' (did you "
        "mean 'elasticity'?); allowed here: elasticity, at, source, rationale",
    ],
    "drivers-on-derived": [
        "drivers-on-derived.toml:47:28: indicators.gdp_per_capita.drivers: a derived indicator has no "
        "assumption of its own for links to add to: write the drivers into its formula, or link the indicators "
        "its formula uses",
    ],
}

# Cases where growthsim's message today is poor or wrong: CATALOGUE holds the message it should give.
POOR: dict[str, str] = {}

# Files that load, with exactly these warnings: mistakes that may be meant, or that change what a
# number means without making it wrong (each file's first line says which).
WARNS: dict[str, list[str]] = {
    "warn-link-correlated": [
        "warn-link-correlated.toml:44:9: warning: correlations.gdp.fai: gdp is driven by fai "
        "(indicators.gdp.drivers.fai), so the link already makes gdp and fai move together; this correlation adds "
        "a tie between fai and what the link leaves unexplained, counting much of it twice. Remove it (or set it "
        "to 0) unless that is what you mean",
    ],
    "warn-link-no-rationale": [
        "warn-link-no-rationale.toml:41:1: warning: indicators.gdp.drivers.fai: a link without a source or "
        "rationale: say where the elasticity comes from, or why it is what it is",
    ],
    "warn-link-swamps": [
        "warn-link-swamps.toml:41:1: warning: indicators.gdp.drivers.fai: the link from fai moves gdp over a range "
        "of 230pp (5%-95% of fai's values), 47 times the 4.93pp of gdp's own assumption: check the elasticity's "
        "size (10 pp/pp: so much of gdp per unit of fai)",
    ],
    "warn-replace-on-driven": [
        "warn-replace-on-driven.toml:47:33: warning: events.slump.effects[0].replace: gdp is driven by fai: "
        "replace acts on its own part (what they leave unexplained), and its links still add their effect. To move "
        "the outcome, act on fai (the links carry it), or use add",
    ],
    "warn-driver-removed": [
        "warn-driver-removed.toml:3:1: warning: remove_indicators: fai drove gdp: its link goes with it, so gdp no "
        "longer moves with fai, and gdp's own assumption (stated for fai at its reference value) is now the whole "
        "of it",
    ],
    "warn-fixed-driven": [
        "warn-fixed-driven.toml:7:17: warning: indicators.gdp.growth: gdp is driven by fai: a fixed value holds its "
        "own part (what they leave unexplained), and its outcome still moves with them. To hold the outcome itself, "
        "switch its links off too: drivers = {} in [indicators.gdp], or --what-if gdp.drivers={}",
    ],
    "warn-held-beyond-range": [
        "warn-held-beyond-range.toml:7:17: warning: indicators.fai.growth: fai's fixed value 80% lies beyond the "
        "0.1%-99.9% range of the distribution it replaces (from link-parent.toml): its correlated partners are "
        "drawn as at that distribution's highest extreme",
        "warn-held-beyond-range.toml:7:17: warning: indicators.fai.growth: fai is held at a fixed value within its "
        "correlations: its partners are drawn given that value, which needs the Gaussian copula, so this scenario "
        "is drawn with it (the same distributions and rank correlations as Iman-Conover)",
    ],
}


def _params():
    for name, headlines in CATALOGUE.items():
        marks = [pytest.mark.xfail(reason=POOR[name], strict=True)] if name in POOR else []
        yield pytest.param(name, headlines, id=name, marks=marks)


def _load_diagnostics(name: str) -> list[Diagnostic]:
    """Load tests/broken/<name>.toml (cwd must be BROKEN); the diagnostics of its ScenarioError."""
    try:
        load_scenario(f"{name}.toml")
    except ScenarioError as error:
        return error.diagnostics
    except Exception as exc:  # a broken file must never raise anything but ScenarioError
        pytest.fail(f"{name}.toml: crashed with {type(exc).__name__}: {exc}")
    pytest.fail(f"{name}.toml: loaded without an error")


@pytest.fixture
def in_broken(monkeypatch):
    monkeypatch.chdir(BROKEN)


# --- the catalogue ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), list(_params()))
def test_broken_file_reports_exact_headlines(in_broken, name, expected):
    diagnostics = _load_diagnostics(name)
    assert [d.headline() for d in diagnostics] == expected
    assert all(d.severity == "error" for d in diagnostics)


@pytest.mark.parametrize(("name", "expected"), list(WARNS.items()), ids=list(WARNS))
def test_file_with_a_likely_mistake_loads_with_exact_warnings(in_broken, name, expected):
    scenario = load_scenario(f"{name}.toml")
    assert [w.headline() for w in scenario.warnings] == expected


def test_loads_fine_files_have_no_warnings(in_broken):
    for name in LOADS_FINE:
        assert load_scenario(f"{name}.toml").warnings == (), name


def test_catalogue_covers_every_file():
    files = {p.stem for p in BROKEN.glob("*.toml")}
    assert files == set(CATALOGUE) | LOADS_FINE | set(WARNS)
    assert set(POOR) <= set(CATALOGUE)


@pytest.mark.parametrize("name", sorted((set(CATALOGUE) | set(WARNS)) - {"not-utf8-gbk"}))
def test_broken_file_says_what_is_wrong_in_its_first_line(name):
    first = (BROKEN / f"{name}.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(("# mistake: ", "# mistakes: "))


def test_many_mistakes_are_all_reported_in_one_pass_sorted_by_line(in_broken):
    diagnostics = _load_diagnostics("many-mistakes")
    lines = [d.line for d in diagnostics]
    assert lines == sorted(lines)
    # one or more diagnostics for each of the 13 mistakes, in every part of the file
    assert len(set(lines)) == 14
    keys = {d.key.split(".")[0] for d in diagnostics}
    assert keys == {"scenario", "simulation", "indicators"}
    indicators = {d.key.split(".")[1] for d in diagnostics if d.key.startswith("indicators.")}
    assert indicators == {"gdp", "unemployment", "urbanisation", "urban_jobs", "revenue"}
    assert [d.headline() for d in diagnostics] == CATALOGUE["many-mistakes"]


def test_unquoted_chinese_keys_are_all_reported_at_once(in_broken):
    """Both bare Chinese keys in one pass (not only the first, where tomllib stops), with the hint."""
    diagnostics = _load_diagnostics("unquoted-chinese-keys")
    assert [(d.line, d.col) for d in diagnostics] == [(11, 13), (12, 1)]
    assert diagnostics[0].headline() == CATALOGUE["unquoted-chinese-keys"][0]
    assert diagnostics[1].message.startswith("key '名称' must be")
    assert "ASCII" in diagnostics[1].message


def test_error_message_lists_only_errors(in_broken):
    with pytest.raises(ScenarioError) as info:
        load_scenario("misspelt-target-key.toml")
    assert str(info.value) == "2 problems found:\n" + "\n".join(CATALOGUE["misspelt-target-key"])


# --- files that must load, and files that are not there ---------------------------------------------


def test_utf8_with_bom_loads(in_broken):
    """Notepad on Windows saves UTF-8 with a byte-order mark: it must load, with no warnings."""
    assert (BROKEN / "utf8-bom.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    scenario = load_scenario("utf8-bom.toml")
    assert scenario.warnings == ()
    assert scenario.name == "测试情景"
    assert [i.id for i in scenario.indicators] == ["gdp"]
    assert scenario.indicators[0].name == "地区生产总值"


def test_utf8_with_bom_keeps_positions(tmp_path, monkeypatch):
    """The mark is not counted as a column: line 1 positions are the same as without it."""
    text = '[scenario]\nname = "x"\nbase_yaer = 2022\n[indicators]\n'
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("bom.toml")
    assert [d.headline() for d in info.value.diagnostics] == [
        "bom.toml:3:1: scenario.base_yaer: unknown key 'base_yaer' (did you mean 'base_year'?); "
        "allowed here: name, short_name, description, base_year, target_year, source",
        "bom.toml:4:2: indicators: no indicators: add at least one [indicators.<id>] section",
    ]


def test_file_not_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("no-such-file.toml")
    assert [d.headline() for d in info.value.diagnostics] == ["no-such-file.toml: file not found"]


def test_directory_instead_of_file(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("scenarios")
    assert [d.headline() for d in info.value.diagnostics] == ["scenarios: is a directory, not a scenario file"]


def test_gbk_file_reports_the_first_line_that_is_not_utf8(tmp_path, monkeypatch):
    body = '[scenario]\nbase_year = 2022\nname = "洛龙区"\n'
    (tmp_path / "gbk.toml").write_bytes(body.encode("gbk"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("gbk.toml")
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.line, diagnostic.col) == (3, None)
    assert "GBK" in diagnostic.message


# --- rendering: the source line and a caret under the column --------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _char_under_caret(rendered: str) -> str:
    """The character of the shown source line that the caret points at, counting CJK as two columns."""
    _headline, source, caret = rendered.split("\n")
    gutter = source.index("| ") + 2
    assert caret[:gutter] == " " * (gutter - 2) + "| "
    target = _display_width(caret[gutter : caret.index("^")])
    column = 0
    for ch in source[gutter:]:
        if column == target:
            return ch
        column += _display_width(ch)
    return "<end of line>"


def test_render_bare_chinese_header():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BROKEN / "unquoted-chinese-keys.toml")
    first, second = info.value.diagnostics
    assert first.render().split("\n")[1:] == [
        "  11 | [indicators.地区生产总值]",
        "     |             ^",
    ]
    assert _char_under_caret(first.render()) == "地"
    assert second.render().split("\n")[1:] == [
        '  12 | 名称 = "x"',
        "     | ^",
    ]


def test_render_caret_after_cjk_text_in_an_inline_table(write_scenario, monkeypatch):
    """Each CJK character before the column takes two columns: the caret must still hit "flw"."""
    path = write_scenario(
        scenario_text("""
        [indicators]
        gdp = { name = "地区生产总值", unit = "亿元", kind = "flw", basis = "real", growth = { dist = "fixed", value = "6%" } }
        """)
    )
    monkeypatch.chdir(path.parent)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path.name)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.line, diagnostic.col, diagnostic.key) == (12, 46, "indicators.gdp.kind")
    rendered = diagnostic.render().split("\n")
    assert rendered[1:] == [
        '  12 | gdp = { name = "地区生产总值", unit = "亿元", kind = "flw", basis = "real", '
        'growth = { dist = "fixed", value = "6%" } }',
        "     |                                                      ^",
    ]
    assert _char_under_caret(diagnostic.render()) == '"'
    # 45 characters before the column, 6 + 2 of them two columns wide
    assert rendered[2].index("^") - len("     | ") == 45 + 6 + 2


def test_render_caret_for_a_toml_error_after_cjk_text(write_scenario):
    path = write_scenario(
        scenario_text("""
        [indicators.gdp]
        source = "一(一): 全区地区生产总值" 增长5.2%
        """)
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.line, diagnostic.col) == (12, 27)
    assert diagnostic.render().split("\n")[1:] == [
        '  12 | source = "一(一): 全区地区生产总值" 增长5.2%',
        "     |                                     ^",
    ]
    assert _char_under_caret(diagnostic.render()) == "增"


@pytest.mark.parametrize("name", sorted(set(CATALOGUE) - set(POOR) - {"not-utf8-gbk"}))
def test_render_shows_the_reported_line_and_column(in_broken, name):
    """For every catalogued file: the source line shown is the file's line, the caret its column."""
    lines = (BROKEN / f"{name}.toml").read_text(encoding="utf-8").split("\n")
    for diagnostic in _load_diagnostics(name):
        rendered = diagnostic.render()
        assert diagnostic.source_line == lines[diagnostic.line - 1]
        assert rendered.split("\n")[1] == f"{diagnostic.line:>4} | {lines[diagnostic.line - 1]}"
        expected = (
            lines[diagnostic.line - 1][diagnostic.col - 1]
            if diagnostic.col <= len(lines[diagnostic.line - 1])
            else "<end of line>"
        )
        assert _char_under_caret(rendered) == expected


def test_render_without_column_has_no_caret(in_broken):
    [diagnostic] = _load_diagnostics("not-utf8-gbk")
    assert diagnostic.render() == diagnostic.headline()


def test_render_after_a_line_separator_inside_a_string(write_scenario):
    text = scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        source = "一(一): 582.4亿元\u2028(初步核算)"
        growth = { dist = "normall", mean = "6%", sd = "1pp", rationale = "r" }
        """)
    path = write_scenario(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.line, diagnostic.key) == (17, "indicators.gdp.growth.dist")
    assert diagnostic.source_line == text.split("\n")[16]
    assert diagnostic.source_line.startswith("growth = ")


def test_render_caret_under_a_tab_indented_value(write_scenario):
    path = write_scenario(
        scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        [indicators.gdp.growth]
        dist = "normal"
        \tmean = 8
        sd = "1pp"
        rationale = "r"
        """)
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [diagnostic] = info.value.diagnostics
    source, caret = diagnostic.render().split("\n")[1:]
    assert source == "  18 | \tmean = 8"
    # the pad repeats the tab, so that both lines expand it alike
    assert caret == "     | \t       ^"


# --- warnings ----------------------------------------------------------------------------------


def test_warnings_do_not_fail_loading(write_scenario, monkeypatch):
    path = write_scenario(
        scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        baseline = 582.4

        [indicators.gdp.target]
        at_least = "8%"

        [indicators.gdp.growth]
        dist = "normal"
        mean = "6.5%"
        sd = "1.5pp"

        [indicators.cpi]
        name = "居民消费价格涨幅"
        unit = "%"
        kind = "rate"
        target = "<= 3%"
        level = { dist = "normal", mean = "2%", sd = "0.8pp", source = "市统计局预测" }
        """),
        name="warn.toml",
    )
    monkeypatch.chdir(path.parent)
    scenario = load_scenario("warn.toml")
    assert [i.id for i in scenario.targeted] == ["gdp", "cpi"]
    assert [w.headline() for w in scenario.warnings] == [
        "warn.toml:11:13: warning: indicators.gdp: baseline/growth_2022 given without a source: cite where "
        "in the report they come from (or, for a number the report does not give, a rationale)",
        "warn.toml:18:17: warning: indicators.gdp.target: target has no source: cite where in the report it is set",
        "warn.toml:21:17: warning: indicators.gdp.growth: assumption has neither a source nor a rationale: "
        "say where it comes from or why a planner would accept it",
        "warn.toml:30:1: warning: indicators.cpi.target: target has no source: write it as a table, e.g. "
        '{ at_least = "8%", source = "二: ..." }',
    ]
    assert all(w.severity == "warning" for w in scenario.warnings)


def test_warnings_travel_with_errors_but_are_not_counted(write_scenario):
    path = write_scenario(
        scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        baseline = 582.4
        growth = { dist = "normal", mean = "6.5%", sd = "0pp" }
        """)
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [d.severity for d in info.value.diagnostics] == ["warning", "error"]
    assert str(info.value).startswith("1 problem found:\n")
    assert "warning:" not in str(info.value)


SHIPPED = sorted((REPO / "scenarios").glob("*.toml"))


def test_the_baseline_is_shipped():
    assert BASELINE in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_scenarios_load_without_warnings(path):
    scenario = load_scenario(path)
    assert scenario.warnings == ()
    assert scenario.indicators
