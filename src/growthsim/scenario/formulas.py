"""A small, safe expression language for derived indicators.

    per_capita_gdp:  (1 + gdp.growth) / (1 + population.growth) - 1
    rd_intensity:    rd_spending.level / gdp_nominal.level

A formula may use numbers, + - * / and ** (with a constant exponent of at most 10 in size),
comparisons, the functions min, max, where, abs, log and exp, and references to indicators'
``.growth``, ``.level`` and ``.change``. Nothing else: no attribute access beyond those fields, no
calls outside the list, no names, no subscripts, no lambdas. Python's parser reads the text into a
tree (it executes nothing); the tree is checked node by node and turned into numpy operations, so
no formula a scenario file can contain can run code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from growthsim.i18n import _
from growthsim.scenario.diagnostics import did_you_mean

__all__ = ["FIELDS", "FUNCTIONS", "MAX_LENGTH", "Formula", "FormulaError", "Reference", "parse_formula"]

FIELDS = ("growth", "level", "change")
MAX_LENGTH = 500
MAX_EXPONENT = 10
MAX_DEPTH = 40

Lookup = Callable[[str, str], np.ndarray]  # (indicator id, field) -> values, shape (n,)


def _minimum(*args):
    out = args[0]
    for arg in args[1:]:
        out = np.minimum(out, arg)
    return out


def _maximum(*args):
    out = args[0]
    for arg in args[1:]:
        out = np.maximum(out, arg)
    return out


# name -> (function, smallest and largest number of arguments)
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    "min": (_minimum, 2, 16),
    "max": (_maximum, 2, 16),
    "where": (np.where, 3, 3),
    "abs": (np.abs, 1, 1),
    "log": (np.log, 1, 1),
    "exp": (np.exp, 1, 1),
}
_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_COMPARISONS = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


class FormulaError(ValueError):
    """A formula that cannot be used; ``col`` is the 1-based column in the formula text."""

    def __init__(self, message: str, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.col = col


@dataclass(frozen=True)
class Reference:
    indicator: str
    field: str
    col: int  # 1-based column of the reference in the formula


@dataclass(frozen=True)
class Formula:
    text: str
    references: tuple[Reference, ...]
    _evaluate: Callable[[Lookup], np.ndarray] = field(compare=False)  # equal formulas: the same text

    def __reduce__(self):
        # The compiled closures cannot be pickled; the text can, and compiles to the same formula
        # (worker processes receive the model this way).
        return parse_formula, (self.text,)

    def evaluate(self, lookup: Lookup) -> np.ndarray:
        """The formula on every draw: ``lookup(id, field)`` gives each referenced array."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.asarray(self._evaluate(lookup), dtype=float)


def parse_formula(text: str) -> Formula:
    """Check and compile a formula; raises FormulaError with the column of the problem."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(_("the formula is empty"))
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            _("the formula is {len} characters long; at most {MAX_LENGTH} are allowed").format(
                len=len(text), MAX_LENGTH=MAX_LENGTH
            )
        )
    if "\n" in text or "\r" in text:
        raise FormulaError(_("write the formula on one line"))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(_("cannot read the formula: {msg}").format(msg=exc.msg), exc.offset) from None
    offset = len(text) - len(text.lstrip())
    references: list[Reference] = []
    _SOURCE[0] = text.strip().encode("utf-8")
    evaluate = _compile(tree.body, references, offset, depth=0)
    return Formula(text, tuple(references), evaluate)


_SOURCE = [b""]  # the formula being compiled, in UTF-8: ast's columns count bytes, not characters


def _col(node: ast.AST, offset: int) -> int:
    byte_offset = getattr(node, "col_offset", 0)
    return len(_SOURCE[0][:byte_offset].decode("utf-8", errors="ignore")) + 1 + offset


def _compile(node: ast.AST, references: list[Reference], offset: int, depth: int):
    if depth > MAX_DEPTH:
        raise FormulaError(
            _("the formula nests more than {MAX_DEPTH} levels deep").format(MAX_DEPTH=MAX_DEPTH), _col(node, offset)
        )
    here = _col(node, offset)
    inner = depth + 1

    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(_("only numbers may stand in a formula, not {value!r}").format(value=node.value), here)
        try:
            value = float(node.value)
        except OverflowError:
            raise FormulaError(_("this number is too large"), here) from None
        return lambda lookup: value

    if isinstance(node, ast.Attribute):
        if not isinstance(node.value, ast.Name):
            raise FormulaError(_("write an indicator's quantity as id.growth, id.level or id.change"), here)
        if node.attr not in FIELDS:
            raise FormulaError(
                _("{id}.{attr}: an indicator has .growth, .level or .change, not .{attr}{did_you_mean}").format(
                    id=node.value.id, attr=node.attr, did_you_mean=did_you_mean(node.attr, FIELDS)
                ),
                here,
            )
        reference = Reference(node.value.id, node.attr, here)
        references.append(reference)
        return lambda lookup: lookup(reference.indicator, reference.field)

    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(_("{id} is a function: write {id}(...)").format(id=node.id), here)
        raise FormulaError(_("{id!r}: say which quantity, e.g. {id}.growth or {id}.level").format(id=node.id), here)

    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _compile(node.operand, references, offset, inner)
        if isinstance(node.op, ast.USub):
            return lambda lookup: np.negative(operand(lookup))
        return operand

    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            exponent = _constant_exponent(node.right)
            if exponent is None or abs(exponent) > MAX_EXPONENT:
                raise FormulaError(
                    _("an exponent must be a number between -{MAX_EXPONENT} and {MAX_EXPONENT}").format(
                        MAX_EXPONENT=MAX_EXPONENT
                    ),
                    _col(node.right, offset),
                )
            base = _compile(node.left, references, offset, inner)
            return lambda lookup: np.power(base(lookup), exponent)
        operator = _OPERATORS.get(type(node.op))
        if operator is None:
            raise FormulaError(
                _("the operator {__name__} is not allowed (use + - * / **)").format(__name__=type(node.op).__name__),
                here,
            )
        left = _compile(node.left, references, offset, inner)
        right = _compile(node.right, references, offset, inner)
        return lambda lookup: operator(left(lookup), right(lookup))

    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise FormulaError(_("compare two things at a time (a < b), not a chain"), here)
        comparison = _COMPARISONS.get(type(node.ops[0]))
        if comparison is None:
            raise FormulaError(_("use < <= > >= == or != to compare"), here)
        left = _compile(node.left, references, offset, inner)
        right = _compile(node.comparators[0], references, offset, inner)
        return lambda lookup: comparison(left(lookup), right(lookup))

    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise FormulaError(
                _("{name}(...) is not allowed; the functions are: {join}").format(name=name, join=", ".join(FUNCTIONS)),
                here,
            )
        function, fewest, most = FUNCTIONS[node.func.id]
        if node.keywords:
            raise FormulaError(_("{id}(...) takes no named arguments").format(id=node.func.id), here)
        if not fewest <= len(node.args) <= most:
            wanted = fewest if fewest == most else f"{fewest} to {most}"
            raise FormulaError(
                _("{id}(...) takes {wanted} arguments, not {len}").format(
                    id=node.func.id, wanted=wanted, len=len(node.args)
                ),
                here,
            )
        args = [_compile(arg, references, offset, inner) for arg in node.args]
        return lambda lookup: function(*(arg(lookup) for arg in args))

    raise FormulaError(
        _(
            "{lower} is not allowed in a formula (allowed: numbers, + - * / **, comparisons, {join}, and id.growth / id.level / id.change)"
        ).format(lower=type(node).__name__.lower(), join=", ".join(FUNCTIONS)),
        here,
    )


def _constant_exponent(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant_exponent(node.operand)
        return None if inner is None else -inner
    return None
