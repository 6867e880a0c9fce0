"""Every number the shipped scenarios take from the report is cited with an exact quote of it.

A `source` reads "一(一): <quote>" (section, colon, quote); several citations are separated by ";",
and "…" stands for omitted text between two exact pieces. The report is kept in docs/source/.
"""

from __future__ import annotations

import re

import pytest

from .conftest import REPO

REPORT = (REPO / "docs" / "source" / "luolong-2022-review-2023-plan.txt").read_text(encoding="utf-8")
SECTION = re.compile(r"^(一|二)(\((一|二|三|四|五|六|七|八)\))?(, 问题)?$")
SHIPPED = sorted((REPO / "scenarios").glob("*.toml"))


def citations(text: str) -> list[str]:
    """Every source, on a line of its own or inside an inline table (a link's { at = ..., source = ... })."""
    return re.findall(r'(?:^|[{,]\s*)source = "([^"]+)"', text, flags=re.M)


def test_citations_inside_inline_tables_are_checked_too():
    assert citations('x = { at = "8.8%", source = "一(一): a" }\nsource = "二: b"') == ["一(一): a", "二: b"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_citation_quotes_the_report_exactly(path):
    found = 0
    for citation in citations(path.read_text(encoding="utf-8")):
        if citation.startswith("洛龙区2022年国民经济和社会发展计划"):
            continue  # the scenario's reference to the whole document
        for part in citation.split(";"):
            section, _, quote = part.strip().partition(": ")
            assert SECTION.match(section), f"{path.name}: {part!r} does not start with a section such as 一(一)"
            for piece in quote.split("…"):
                assert piece.strip() in REPORT, f"{path.name}: {piece.strip()!r} is not in the report"
            found += 1
    assert found or path.stem.endswith(("downside", "upside")), path.name


def test_the_kept_report_is_the_shared_one():
    shared = REPO.parent / "shared" / "source" / "luolong-2022-review-2023-plan.txt"
    if not shared.exists():
        pytest.skip("no shared/ folder beside this checkout")
    assert shared.read_text(encoding="utf-8") == REPORT


def test_every_file_a_scenario_cites_is_in_the_repository():
    """A citation planners cannot open is no citation (the report cited shared/, outside the project)."""
    for path in SHIPPED:
        cited = re.findall(r"[\w./-]+/[\w.-]+\.(?:txt|csv|toml|json)", path.read_text(encoding="utf-8"))
        for name in cited:
            if name.startswith("scenarios/") and name.endswith(".toml"):
                continue  # a command line in a comment (growthsim run scenarios/...)
            assert (REPO / name).is_file(), f"{path.name} cites {name}, which is not in the repository"
        assert "shared/" not in path.read_text(encoding="utf-8"), path.name
