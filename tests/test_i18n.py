"""Chinese first, English on request: the catalogs are complete and current, the language is chosen
as documented, and what a planner reads in Chinese has no English sentence in it (and the
English interface no Chinese one).

The catalog tests extract the messages from the source with Babel, exactly as
tools/translate.py does, so a string marked with _() but not translated fails here, and so does
a .mo that was not compiled after the .po changed."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys

import pytest

from growthsim.i18n import DOMAIN, EXTRA_KEYWORDS, LOCALE_DIR, language_from

from .conftest import REPO

PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"
COMMANDS = ("run", "compare", "diff", "solve", "sensitivity", "report", "validate", "show", "distributions")

babel = pytest.importorskip("babel.messages.extract", reason="Babel extracts the messages (the test extra)")


def _source_messages() -> set:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, **dict.fromkeys(EXTRA_KEYWORDS)}
    method_map = [("src/growthsim/**.py", "python")]
    return {
        (context, message)
        for _file, _line, message, _comments, context in extract_from_dir(
            str(REPO), method_map=method_map, keywords=keywords
        )
    }


def _catalog():
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_marked_message_is_in_the_chinese_catalog_and_translated():
    catalog = _catalog()
    found = {(m.context, m.id) for m in catalog if m.id}
    source = _source_messages()
    missing = sorted(str(m) for m in source - found)
    assert not missing, f"not in the catalog (run: python tools/translate.py all, then translate): {missing[:10]}"
    stale = sorted(str(m) for m in found - source)
    assert not stale, f"in the catalog but no longer in the source (run tools/translate.py all): {stale[:10]}"
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    assert not untranslated, f"no Chinese translation: {untranslated[:10]}"


def test_translations_keep_every_placeholder():
    catalog = _catalog()
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check() if errors]
    assert not problems, problems  # what `pybabel compile` would refuse (a "95% u…" read as %u, say)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{[^{}]*\}", ids[-1]))
        for text in strings:
            assert set(re.findall(r"\{[^{}]*\}", text)) == wanted, (message.id, text)


def test_the_compiled_catalog_is_the_po():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 2) == message.string[0], message.id
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, (message.context, message.id)
        else:
            assert compiled.gettext(message.id) == message.string, "stale .mo: run python tools/translate.py compile"


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, "zh"),
        ([], {"LANG": "en_US.UTF-8"}, "en"),
        ([], {"LANG": "C.UTF-8"}, "zh"),
        ([], {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ([], {"GROWTHSIM_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
        (["run", "--lang", "en"], {"LANG": "zh_CN"}, "en"),
        (["--lang=zh", "run"], {"LANG": "en_US"}, "zh"),
        ([], {"LANG": "fr_FR.UTF-8"}, "zh"),
    ],
)
def test_the_language_is_chosen_as_documented(argv, environ, expected):
    assert language_from(argv, environ) == expected


def _growthsim(*arguments: str, lang: str, columns: int = 200) -> subprocess.CompletedProcess:
    environ = {**os.environ, "GROWTHSIM_LANG": lang, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "growthsim", *arguments],
        capture_output=True,
        text=True,
        env=environ,
        cwd=REPO,
        timeout=120,
    )


# What may stand in English inside Chinese text: ids, keys, option names, file names, formats,
# the names of distributions and sampling methods, code in backticks, and placeholders in capitals.
_ALLOWED = re.compile(
    r"`[^`]*`|'[^']*'|\"[^\"]*\"|--?[A-Za-z][\w-]*|\b[\w.]+\.(?:toml|csv|json|html|png|svg|mo|po)\b"
    r"|\b[a-z_]+\.[a-z_.]+\b|\b[A-Z][A-Z_-]+\b|<[^>]*>|\[[^\]]*\]|\b(?:growthsim|TOML|JSON|CSV|HTML|PNG|SVG|UTF|BOM|"
    r"Excel|matplotlib|pip|install|mc|lhs|sobol|poisson|negative_binomial|table|json|csv|extends|zh|en|diff|solve|"
    r"run|show|compare|report|validate|sensitivity|distributions|python|pp|MB|Sobol|or)\b"
)
_ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,;:()/-]+[A-Za-z]{2,})+")


def english_runs(text: str) -> list[str]:
    """Runs of two or more English words left once the allowed tokens are taken out."""
    return _ENGLISH_RUN.findall(_ALLOWED.sub(" ", text))


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_is_chinese_by_default_and_english_on_request(command):
    chinese = _growthsim(command, "--help", lang="zh")
    assert chinese.returncode == 0, chinese.stderr
    assert "用法" in chinese.stdout and not english_runs(chinese.stdout), english_runs(chinese.stdout)
    english = _growthsim(command, "--help", lang="en")
    assert "Usage" in english.stdout and "用法" not in english.stdout
    assert _growthsim(command, "--help", "--lang", "en", lang="zh").stdout == english.stdout  # --lang anywhere


def test_an_unknown_language_is_a_usage_error():
    result = _growthsim("run", "--lang", "fr", lang="zh")
    assert result.returncode == 2 and "--lang 'fr'" in result.stderr


def _keys_and_ids() -> set[str]:
    """Words that stand in messages as they are written in a scenario file: keys, distribution
    and parameter names, the shipped scenarios' indicator ids."""
    from growthsim import load_scenario
    from growthsim.scenario.families import DISTRIBUTIONS

    words = {
        "name",
        "unit",
        "kind",
        "basis",
        "baseline",
        "growth_2022",
        "source",
        "rationale",
        "note",
        "growth",
        "level",
        "change",
        "target",
        "drivers",
        "description",
        "base_year",
        "target_year",
        "draws",
        "seed",
        "correlation_method",
        "real",
        "nominal",
        "flow",
        "rate",
        "count",
        "derived",
        "formula",
        "metric",
        "at_least",
        "at_most",
        "about",
        "between",
        "relative_to",
        "tolerance",
        "side",
        "stretch",
        "text",
        "both",
        "elasticity",
        "at",
        "dist",
        "extends",
        "remove_indicators",
    }
    for spec in DISTRIBUTIONS.values():
        words.add(spec.name)
        words.update(p.name for p in spec.params)
    for path in (REPO / "scenarios").glob("*.toml"):
        words.update(load_scenario(path).ids)
    return words


# Every command, on its success path and on an error path, as a planner runs it. `show` and
# `report` print the scenario's own texts (rationales), which are the file's words, not growthsim's.
SWEEP = [
    ("run", "-n", "2000"),
    ("run", "--verbose", "-n", "2000"),
    ("compare", "--what-if", "fai.growth.mode=5%", "-n", "2000"),
    ("sensitivity", "-i", "gdp", "-n", "2000"),
    ("solve", "-i", "gdp", "-p", "30%", "-n", "2000"),
    ("validate", "scenarios/luolong-2023-baseline.toml"),
    ("distributions",),
    ("show",),
    ("show", "scenarios/luolong-2023-tasks.toml"),
    ("diff", "scenarios/luolong-2023-baseline.toml", "scenarios/luolong-2023-downside.toml"),
    ("run", "tests/broken/many-mistakes.toml"),
    ("validate", "tests/broken/warn-link-swamps.toml"),
    ("run", "--draws", "0"),
    ("solve", "-i", "gpd", "-p", "0.8"),
    ("compare", "--what-if", "gdp.growth.mean=5"),
    ("sensitivity", "-i", "nothing"),
    ("run", "no/such/file.toml"),
]


def _untranslated(chinese_output: str) -> list[str]:
    """English runs in Chinese output, once file names, keys and ids are taken out."""
    keys = _keys_and_ids()
    text = re.sub(r"[\w./-]+\.(?:toml|txt|csv|html)\b", " ", chinese_output)  # file names
    text = re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*\b", lambda m: " " if m.group(0) in keys else m.group(0), text)
    return english_runs(text)


def _chinese_sentences_in(english_output: str, shortest: int = 4) -> list[str]:
    """Sentences of the Chinese catalog (of at least ``shortest`` characters) found in English output.
    Where the output quotes the scenario's own Chinese texts (show, report), words such as 泊松分布
    are the file's: only longer sentences count there."""
    sentences = [
        m.string
        for m in _catalog()
        if m.id
        and isinstance(m.string, str)
        and not m.context  # words
        and len(re.findall(r"[\u4e00-\u9fff]", m.string)) >= shortest
        and "{" not in m.string
    ]
    return [s for s in sentences if s in english_output]


@pytest.mark.parametrize("command", SWEEP, ids=" ".join)
def test_every_command_speaks_chinese_by_default_and_english_on_request(command):
    chinese = _growthsim(*command, lang="zh")
    runs = _untranslated(chinese.stdout + chinese.stderr)
    assert not runs, runs
    english = _growthsim(*command, lang="en")
    assert english.returncode == chinese.returncode
    assert not _chinese_sentences_in(english.stdout + english.stderr, 10 if command[0] == "show" else 4)


def test_the_report_speaks_chinese_by_default_and_english_on_request(tmp_path):
    pytest.importorskip("matplotlib")
    from html.parser import HTMLParser

    class Words(HTMLParser):  # the text a reader sees: not the styles, not the <code> keys
        def __init__(self):
            super().__init__()
            self.words, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "code", "script")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "code", "script")

        def handle_data(self, data):
            if not self.skip:
                self.words.append(data)

    texts = {}
    for lang in ("zh", "en"):
        path = tmp_path / f"{lang}.html"
        result = _growthsim("report", "--html", str(path), "-n", "4000", "--analysis-draws", "1000", lang=lang)
        assert result.returncode == 0, result.stderr
        parser = Words()
        parser.feed(path.read_text(encoding="utf-8"))
        texts[lang] = " ".join(parser.words)
        assert path.read_text(encoding="utf-8").count(f'<html lang="{"zh-CN" if lang == "zh" else "en"}"') == 1
    from growthsim.output.figures import CJK_FAMILIES

    record = "|".join(["Python / numpy / scipy / matplotlib", *map(re.escape, CJK_FAMILIES)])  # the run's record
    runs = _untranslated(re.sub(record, " ", texts["zh"]))
    assert not runs, runs
    assert "结论摘要" in texts["zh"] and "Conclusions" in texts["en"]
    assert not _chinese_sentences_in(texts["en"], 10)


def test_no_message_is_marked_inside_an_f_string():
    """Babel does not look inside f-strings: f"{_('x')}" would never reach the catalog, and its
    English would show in Chinese output."""
    import ast

    keywords = {"_", "N_", "ngettext", "pgettext", *EXTRA_KEYWORDS}
    hidden = []
    for path in sorted((REPO / "src" / "growthsim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and getattr(inner.func, "id", getattr(inner.func, "attr", None)) in keywords
                        and inner.args
                        and isinstance(inner.args[0], ast.Constant)
                    ):
                        hidden.append(f"{path.name}:{inner.lineno}: {inner.args[0].value!r}")
    assert not hidden, hidden
