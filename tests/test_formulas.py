"""Derived indicators: the formula language, its safety, references, cycles, and evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from growthsim import ScenarioError, compile_model, parse_scenario, simulate
from growthsim.engine.sampling import sample
from growthsim.scenario.formulas import FormulaError, parse_formula

from .conftest import mc_tolerance, scenario_text


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


VALUES = {
    ("gdp", "growth"): np.array([0.05, 0.08, -0.02]),
    ("pop", "growth"): np.array([0.01, 0.0, 0.02]),
    ("gdp", "level"): np.array([600.0, 630.0, 570.0]),
}


def evaluate(text: str) -> np.ndarray:
    return parse_formula(text).evaluate(lambda indicator, field: VALUES[(indicator, field)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1 + gdp.growth) / (1 + pop.growth) - 1", [1.05 / 1.01 - 1, 0.08, 0.98 / 1.02 - 1]),
        ("gdp.level * 2 + 1", [1201.0, 1261.0, 1141.0]),
        ("-gdp.growth", [-0.05, -0.08, 0.02]),
        ("max(gdp.growth, 0)", [0.05, 0.08, 0.0]),
        ("min(gdp.growth, pop.growth, 0.015)", [0.01, 0.0, -0.02]),
        ("where(gdp.growth > 0.06, 1, 0)", [0, 1, 0]),
        ("abs(gdp.growth)", [0.05, 0.08, 0.02]),
        ("exp(log(1 + gdp.growth)) - 1", [0.05, 0.08, -0.02]),
        ("(1 + gdp.growth) ** 2 - 1", [1.05**2 - 1, 1.08**2 - 1, 0.98**2 - 1]),
        ("gdp.growth ** -1", [20.0, 12.5, -50.0]),
        ("2.5", [2.5, 2.5, 2.5]),
    ],
)
def test_formulas_match_hand_computed_values(text, expected):
    np.testing.assert_allclose(np.broadcast_to(evaluate(text), (3,)), expected, rtol=1e-12)


def test_references_are_listed_with_their_columns():
    formula = parse_formula("(1 + gdp.growth) / (1 + pop.growth) - 1")
    assert [(r.indicator, r.field, r.col) for r in formula.references] == [("gdp", "growth", 6), ("pop", "growth", 25)]


@pytest.mark.parametrize(
    ("text", "message", "col"),
    [
        ("__import__('os')", "__import__(...) is not allowed", 1),
        ("gdp.growth.__class__", "write an indicator's quantity as id.growth", 1),
        ("gdp.__class__", "an indicator has .growth, .level or .change, not .__class__", 1),
        ("9**9**9", "an exponent must be a number between -10 and 10", 4),
        ("2 ** gdp.growth", "an exponent must be a number", 6),
        ("gdp.growth[0]", "subscript is not allowed", 1),
        ("lambda: 1", "lambda is not allowed", 1),
        ("open('x')", "open(...) is not allowed", 1),
        ("'text'", "only numbers may stand in a formula", 1),
        ("True", "only numbers may stand in a formula", 1),
        ("gdp", "say which quantity, e.g. gdp.growth", 1),
        ("max", "max is a function: write max(...)", 1),
        ("max(gdp.growth)", "max(...) takes 2 to 16 arguments, not 1", 1),
        ("where(gdp.growth > 0, 1)", "where(...) takes 3 arguments, not 2", 1),
        ("abs(x=gdp.growth)", "takes no named arguments", 1),
        ("0 < gdp.growth < 1", "compare two things at a time", 1),
        ("gdp.growth % 2", "the operator Mod is not allowed", 1),
        ("gdp.growth +", "cannot read the formula", None),
        ("1 + " * 200 + "1", "characters long; at most 500", None),
        ("-" * 60 + "1", "nests more than", None),
        ("", "the formula is empty", None),
    ],
)
def test_hostile_and_broken_formulas_are_rejected(text, message, col):
    with pytest.raises(FormulaError) as error:
        parse_formula(text)
    assert message in error.value.message
    if col is not None:
        assert error.value.col == col


def test_nothing_is_executed_while_parsing(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("a formula reached Python's import machinery")

    monkeypatch.setattr(builtins, "__import__", forbidden)
    with pytest.raises(FormulaError):
        parse_formula("__import__('os').system('echo pwned')")


# --- in a scenario ------------------------------------------------------------------------------------

BODY = """
[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 582.4
source = "t"
growth = { dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }

[indicators.population]
name = "常住人口"
unit = "万人"
kind = "flow"
basis = "real"
growth = { dist = "normal", mean = "0.5%", sd = "0.3pp", rationale = "t" }

[indicators.gdp_per_capita]
name = "人均GDP"
unit = "元"
kind = "derived"
metric = "growth"
formula = "(1 + gdp.growth) / (1 + population.growth) - 1"
target = { at_least = "8%", source = "t" }
"""


def test_a_derived_indicator_is_computed_on_the_same_draw():
    model = compile_model(parse_scenario(scenario_text(BODY)))
    values = sample(model, 1, 0, 10_000).values
    np.testing.assert_allclose(values[2], (1 + values[0]) / (1 + values[1]) - 1, rtol=1e-12)


def test_derived_probability_against_a_closed_form():
    """With population fixed at 0.5%, P((1+g)/1.005 - 1 >= 8%) = P(g >= 1.08 * 1.005 - 1)."""
    from scipy import stats

    text = scenario_text(BODY.replace('dist = "normal", mean = "0.5%", sd = "0.3pp"', 'dist = "fixed", value = "0.5%"'))
    n = 200_000
    row = simulate(parse_scenario(text), n, seed=2).indicators[2]
    expected = stats.norm.sf(1.08 * 1.005 - 1, 0.06, 0.02)
    assert abs(row.hit.p - expected) <= mc_tolerance(expected, n)


def test_derived_from_derived_in_order():
    text = scenario_text(
        BODY
        + """
        [indicators.twice]
        name = "两倍"
        unit = "元"
        kind = "derived"
        metric = "growth"
        formula = "2 * gdp_per_capita.growth"
        """
    )
    model = compile_model(parse_scenario(text))
    values = sample(model, 1, 0, 1000).values
    np.testing.assert_allclose(values[3], 2 * values[2])


def errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        parse_scenario(scenario_text(text))
    return [d.headline() for d in error.value.diagnostics]


def test_an_unknown_reference_points_at_its_column():
    (message,) = errors(BODY.replace("population.growth) - 1", "populaton.growth) - 1"))
    assert (
        "indicators.gdp_per_capita.formula: no indicator 'populaton' (did you mean 'population'?) "
        "(at column 25 of the formula)"
    ) in message
    _line, col = message.split(": ")[0].split(":")[-2:]
    assert int(col) == len('formula = "') + 25  # the caret sits on the reference


def test_a_field_the_indicator_does_not_have():
    (message,) = errors(BODY.replace("population.growth) - 1", "population.level) - 1"))
    assert "population has .growth, not .level (a level needs the indicator's baseline)" in message


def test_a_cycle_is_reported_with_its_path():
    text = (
        BODY
        + """
        [indicators.a]
        name = "a"
        unit = "元"
        kind = "derived"
        metric = "growth"
        formula = "b.growth + 1"

        [indicators.b]
        name = "b"
        unit = "元"
        kind = "derived"
        metric = "growth"
        formula = "a.growth - 1"
        """
    )
    assert any("the formulas refer to each other in a circle: a -> b -> a" in m for m in errors(text))


def test_a_formula_error_in_a_file_points_into_the_formula():
    (message,) = errors(BODY.replace('"(1 + gdp.growth) / (1 + population.growth) - 1"', '"gdp.growth ** 99"'))
    assert "an exponent must be a number between -10 and 10 (at column 15 of the formula)" in message


def test_missing_metric_and_events_or_correlations_on_derived():
    assert any("missing required key 'metric'" in m for m in errors(BODY.replace('metric = "growth"\n', "")))
    event = """
        [events.x]
        name = "x"
        probability = "10%"
        rationale = "t"
        effects = [{ indicator = "gdp_per_capita", add = "1pp" }]
        """
    assert any("gdp_per_capita is derived by its formula" in m for m in errors(BODY + event))
    correlation = "\n[correlations]\ngdp = { gdp_per_capita = 0.5 }\n"
    assert any("a derived indicator moves with the indicators of its formula" in m for m in errors(BODY + correlation))


def test_a_formula_without_finite_values_is_a_clear_error():
    text = scenario_text(BODY.replace("(1 + gdp.growth) / (1 + population.growth) - 1", "log(gdp.growth)"))
    with pytest.raises(ScenarioError) as error:
        simulate(parse_scenario(text), 5_000, seed=1)
    assert "the formula gives no finite value on" in error.value.diagnostics[0].message


def test_revenue_from_nominal_gdp_with_an_elasticity():
    """Real vs nominal: nominal GDP from real growth and a deflator, revenue growth from it with an
    elasticity of 1.1 and its own noise; checked against the closed form on fixed inputs."""
    text = scenario_text("""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        baseline = 582.4
        source = "t"
        growth = { dist = "fixed", value = "6%", rationale = "t" }

        [indicators.deflator]
        name = "GDP平减指数涨幅"
        unit = "%"
        kind = "rate"
        level = { dist = "fixed", value = "2%", rationale = "t" }

        [indicators.gdp_nominal]
        name = "地区生产总值（现价）"
        unit = "亿元"
        kind = "derived"
        metric = "level"
        basis = "nominal"
        formula = "gdp.level * (1 + deflator.level)"

        [indicators.revenue_noise]
        name = "收入扰动"
        unit = "%"
        kind = "rate"
        level = { dist = "fixed", value = "0.5%", rationale = "t" }

        [indicators.revenue]
        name = "一般公共预算收入"
        unit = "亿元"
        kind = "derived"
        metric = "growth"
        basis = "nominal"
        baseline = 24.07
        formula = "1.1 * (gdp_nominal.level / 582.4 - 1) + revenue_noise.level"
        target = { at_least = "9%", source = "t" }
        """)
    result = simulate(parse_scenario(text), 1_000, seed=1)
    revenue = result.indicators[4]
    expected = 1.1 * (1.06 * 1.02 - 1) + 0.005
    assert revenue.quantiles["p50"] == pytest.approx(expected, abs=1e-12)
    assert revenue.hit.p == 1.0  # 9.42% >= 9%
    assert revenue.level_quantiles["p50"] == pytest.approx(24.07 * (1 + expected))
    rows = {row.indicator.id: row for row in result.indicators}
    assert rows["gdp_nominal"].quantiles["p50"] == pytest.approx(582.4 * 1.06 * 1.02)


def test_a_huge_number_is_a_formula_error_not_a_crash():
    with pytest.raises(FormulaError) as error:
        parse_formula("1" * 400 + " + gdp.growth")
    assert "too large" in error.value.message


def test_columns_count_characters_not_bytes():
    formula = parse_formula("max(gdp.growth, 0) + 人口.growth")
    assert formula.references[1].col == 22


def test_a_formula_without_finite_values_stops_the_cli_cleanly(tmp_path):
    from typer.testing import CliRunner

    from growthsim.cli import app

    text = scenario_text(BODY.replace("(1 + gdp.growth) / (1 + population.growth) - 1", "log(gdp.growth)"))
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    for command in (["run"], ["show"]):
        result = CliRunner().invoke(app, [*command, str(tmp_path / "s.toml")], env={"NO_COLOR": "1"})
        if command == ["show"]:
            assert result.exit_code == 0  # show does not simulate this scenario (no correlations)
            continue
        assert result.exit_code == 1, result.output
        assert "the formula gives no finite value" in result.stderr and "internal error" not in result.output


def test_a_misspelt_field_gets_a_suggestion():
    with pytest.raises(FormulaError) as error:
        parse_formula("gdp.grwoth + 1")
    assert "not .grwoth (did you mean 'growth'?)" in error.value.message


def test_validate_catches_a_formula_without_finite_values(tmp_path):
    from typer.testing import CliRunner

    from growthsim.cli import app

    text = scenario_text(BODY.replace("(1 + gdp.growth) / (1 + population.growth) - 1", "log(gdp.growth)"))
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "s.toml")], env={"NO_COLOR": "1"})
    assert result.exit_code == 1 and "the formula gives no finite value" in result.stderr
