"""extends, remove_indicators and --set: merge semantics, precedence, provenance, and their errors."""

from __future__ import annotations

import textwrap

import pytest

from growthsim import ScenarioError, load_scenario, simulate
from growthsim.scenario.layers import parse_override


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


PARENT = """\
[scenario]
name = "parent"

[simulation]
draws = 5000
seed = 7

[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 582.4
source = "一(一)"

[indicators.gdp.target]
at_least = "8%"
source = "二"

[indicators.gdp.growth]
dist = "normal"
mean = "6%"
sd = "2pp"
rationale = "parent"

[indicators.trade]
name = "进出口总值"
unit = "亿元"
kind = "flow"
basis = "nominal"
target = { at_least = "4%", source = "二" }
growth = { dist = "normal", mean = "2%", sd = "8pp", rationale = "parent" }
"""


@pytest.fixture
def files(tmp_path):
    def write(**texts):
        for name, text in texts.items():
            (tmp_path / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    write(parent=PARENT)
    return write


def headlines(path, overrides=()):
    with pytest.raises(ScenarioError) as error:
        load_scenario(path, overrides)
    return [d.headline() for d in error.value.diagnostics]


# --- merging ----------------------------------------------------------------------------------------


def test_child_changes_one_parameter_and_keeps_the_rest(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        mean = "7%"
        """
    )
    scenario = load_scenario(folder / "child.toml")
    gdp = scenario.indicator("gdp")
    assert scenario.name == "child" and scenario.draws == 5000 and scenario.seed == 7
    assert gdp.assumption.distribution.describe() == {"mean": 0.07, "sd": 0.02}
    assert gdp.baseline == 582.4 and gdp.target.value == 0.08
    assert [path for path, _ in scenario.files] == [str(folder / "child.toml"), str(folder / "parent.toml")]


def test_naming_a_dist_replaces_the_whole_assumption(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        dist = "triangular"
        min = "3%"
        mode = "6%"
        max = "8%"
        rationale = "child"
        """
    )
    gdp = load_scenario(folder / "child.toml").indicator("gdp")
    assert gdp.assumption.dist == "triangular"
    assert set(gdp.assumption.written) == {"dist", "min", "mode", "max"}  # no inherited mean or sd


def test_naming_a_target_form_replaces_the_whole_target(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.target]
        about = "7%"
        tolerance = "0.5pp"
        side = "at_least"
        """
    )
    target = load_scenario(folder / "child.toml").indicator("gdp").target
    assert target.op == "about" and target.value == 0.07
    assert target.source is None  # the parent's source went with the parent's target


def test_remove_indicators(files):
    folder = files(
        child="""
        extends = "parent.toml"
        remove_indicators = ["trade"]
        [scenario]
        name = "child"
        """
    )
    assert load_scenario(folder / "child.toml").ids == ("gdp",)


def test_chains_apply_in_order(files):
    folder = files(
        middle="""
            extends = "parent.toml"
            [scenario]
            name = "middle"
            [indicators.gdp.growth]
            mean = "7%"
            sd = "3pp"
            """,
        child="""
            extends = "middle.toml"
            [scenario]
            name = "child"
            [indicators.gdp.growth]
            mean = "5%"
            """,
    )
    scenario = load_scenario(folder / "child.toml")
    assert scenario.indicator("gdp").assumption.distribution.describe() == {"mean": 0.05, "sd": 0.03}
    assert len(scenario.files) == 3
    assert scenario.origin("indicators", "gdp", "growth", "mean") == str(folder / "child.toml")
    assert scenario.origin("indicators", "gdp", "growth", "sd") == str(folder / "middle.toml")
    assert scenario.origin("indicators", "gdp", "baseline") == str(folder / "parent.toml")


def test_a_child_draws_the_same_numbers_for_what_it_does_not_change(files):
    """Common random numbers: the unchanged indicator's results are identical, not merely close."""
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        mean = "7%"
        """
    )
    parent = simulate(load_scenario(folder / "parent.toml"))
    child = simulate(load_scenario(folder / "child.toml"))
    assert parent.indicators[1].hit == child.indicators[1].hit
    assert parent.indicators[1].quantiles == child.indicators[1].quantiles
    assert child.indicators[0].hit.p > parent.indicators[0].hit.p


# --- --set ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("fai.growth.mode=10%", ("indicators", "fai", "growth", "mode"), "10%"),
        ('gdp.target=">= 7%"', ("indicators", "gdp", "target"), ">= 7%"),
        ("simulation.draws=2000", ("simulation", "draws"), 2000),
        ("gdp.growth.sd = 1.5pp", ("indicators", "gdp", "growth", "sd"), "1.5pp"),
        ('gdp.growth={dist="fixed", value="8%"}', ("indicators", "gdp", "growth"), {"dist": "fixed", "value": "8%"}),
    ],
)
def test_parse_override(text, path, value):
    assert parse_override(text) == (path, value)


@pytest.mark.parametrize("text", ["gdp.growth.mean", "=5%", "gdp..mean=5%"])
def test_parse_override_rejects_malformed(text):
    with pytest.raises(ValueError):
        parse_override(text)


def test_overrides_win_over_every_file_and_are_recorded(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        mean = "7%"
        rationale = "child"
        """
    )
    overrides = ["gdp.growth.mean=9%", 'trade.target=">= 1%"', "simulation.draws=1000"]
    scenario = load_scenario(folder / "child.toml", overrides)
    assert scenario.indicator("gdp").assumption.distribution.describe()["mean"] == 0.09
    assert scenario.indicator("trade").target.value == 0.01
    assert scenario.draws == 1000
    assert scenario.overrides == tuple(overrides)
    assert scenario.origin("indicators", "gdp", "growth", "mean") == "--set gdp.growth.mean=9%"
    assert scenario.warnings == ()  # a one-off --set need not cite a source


def test_override_errors_name_the_override(files):
    folder = files()
    assert headlines(folder / "parent.toml", ["gdp.growth.mean=9"]) == [
        "--set gdp.growth.mean=9: indicators.gdp.growth.mean: a bare number (9) is ambiguous here (9% or 900%?): "
        'write it quoted with its unit, e.g. "9%"'
    ]
    assert headlines(folder / "parent.toml", ["gpd.growth.mean=9%"]) == [
        "--set gpd.growth.mean=9%: indicators.gpd: no indicator 'gpd' (did you mean 'gdp'?); "
        "--set changes values of the scenario's indicators"
    ]
    assert headlines(folder / "parent.toml", ["gdp.growth.mena=9%"])[0].startswith(
        "--set gdp.growth.mena=9%: indicators.gdp.growth.mena: unknown key 'mena' (did you mean 'mean'?)"
    )


# --- errors -----------------------------------------------------------------------------------------


def test_errors_point_into_the_file_that_wrote_the_value(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        sd = "-1pp"
        """
    )
    assert headlines(folder / "child.toml") == [
        f"{folder / 'child.toml'}:6:6: indicators.gdp.growth.sd: must be greater than 0 (got -1pp)"
    ]


def test_missing_parent(files):
    folder = files(child='extends = "nowhere.toml"\n')
    assert headlines(folder / "child.toml") == [
        f"{folder / 'child.toml'}:1:11: extends: the parent file {(folder / 'nowhere.toml').resolve()} does not "
        f"exist: extends is read relative to the folder of {folder / 'child.toml'} ({folder.resolve()}). Copy the "
        "parent there too, or give its full path"
    ]


def test_a_cycle_names_the_chain(files):
    folder = files(a='extends = "b.toml"\n', b='extends = "c.toml"\n', c='extends = "a.toml"\n')
    (message,) = headlines(folder / "a.toml")
    assert message.endswith(
        f"extends: extends makes a cycle: {folder / 'a.toml'} → {folder / 'b.toml'} → "
        f"{folder / 'c.toml'} → {folder / 'a.toml'}"
    )


def test_removing_an_unknown_indicator(files):
    folder = files(child='extends = "parent.toml"\nremove_indicators = ["tarde"]\n')
    assert headlines(folder / "child.toml") == [
        f"{folder / 'child.toml'}:2:22: remove_indicators: no inherited indicator 'tarde' to remove "
        "(did you mean 'trade'?)"
    ]


def test_extends_must_be_a_path(files):
    folder = files(child="extends = 3\n")
    (message,) = headlines(folder / "child.toml")
    assert "expected the parent file's path in quotes" in message


def test_a_broken_parent_reports_in_the_parent(files):
    folder = files(parent="[scenario\n", child='extends = "parent.toml"\n')
    (message,) = headlines(folder / "child.toml")
    assert message.startswith(f"{folder / 'parent.toml'}:1:")


def test_a_child_that_changes_numbers_without_a_rationale_does_not_keep_the_parents(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gdp.growth]
        mean = "4%"
        """
    )
    scenario = load_scenario(folder / "child.toml")
    assert scenario.indicator("gdp").assumption.rationale is None
    (warning,) = scenario.warnings
    assert "neither a source nor a rationale" in warning.message
    assert f"this table was changed by {folder / 'child.toml'}:5" in warning.message


def test_a_misspelt_inherited_id_is_caught(files):
    folder = files(
        child="""
        extends = "parent.toml"
        [scenario]
        name = "child"
        [indicators.gpd.growth]
        mean = "4%"
        """
    )
    (message,) = headlines(folder / "child.toml")
    assert message.endswith(
        "indicators.gpd: no inherited indicator 'gpd' (did you mean 'gdp'?); a new indicator "
        "needs its own name, unit and kind"
    )


def test_a_removed_indicator_is_named_as_removed(files):
    folder = files(
        child="""
        extends = "parent.toml"
        remove_indicators = ["gdp"]
        [scenario]
        name = "child"
        [indicators.trade.target]
        relative_to = "gdp"
        tolerance = "1pp"
        side = "at_least"
        source = "t"
        """
    )
    assert any("indicator 'gdp' was removed by remove_indicators in" in h for h in headlines(folder / "child.toml"))


def test_set_reaches_events():
    from .conftest import BASELINE

    scenario = load_scenario(BASELINE.parent / "luolong-2023-downside.toml", ["events.epidemic.probability=40%"])
    assert scenario.events[0].probability == 0.4
