"""Maintain growthsim's message catalogs with Babel (a developer's tool, not shipped):

    python tools/translate.py extract    # source -> src/growthsim/locale/growthsim.pot
    python tools/translate.py update     # .pot -> zh_CN .po (new entries empty, old ones kept)
    python tools/translate.py compile    # .po -> .mo (what gettext reads at run time)
    python tools/translate.py fill FILE  # put translations from FILE (a Python dict T: msgid -> text;
                                         # "context|msgid" for a pgettext message) into the .po
    python tools/translate.py all        # extract, update, compile

tests/test_i18n.py fails when the catalog is out of date with the source, a message has no
Chinese translation, or the .mo does not match the .po: run `all`, translate the new entries
(`grep -B2 'msgstr ""$' src/growthsim/locale/zh_CN/LC_MESSAGES/growthsim.po`), then `compile`.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "growthsim" / "locale"
POT = LOCALE / "growthsim.pot"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "growthsim.po"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]
sys.path.insert(0, str(ROOT / "src"))
from growthsim.i18n import EXTRA_KEYWORDS  # noqa: E402

EXTRACT = [
    "extract",
    "-F",
    str(ROOT / "babel.cfg"),
    *[f"-k{k}" for k in EXTRA_KEYWORDS],
    "--no-location",
    "--sort-output",
    "--project",
    "growthsim",
    "--omit-header",
    "-o",
    str(POT),
    str(ROOT),
]


def pybabel(*arguments: str) -> None:
    subprocess.run([*PYBABEL, *arguments], check=True, cwd=ROOT)


def fill(path: str) -> None:
    from babel.messages.pofile import read_po, write_po

    translations = runpy.run_path(path)["T"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        key = f"{message.context}|{message.id}" if message.context else message.id  # "kind|change"
        if message.id and key in translations:
            text = translations[key]
            message.string = (text, text) if isinstance(message.id, tuple) and isinstance(text, str) else text
            message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True, width=100)


def main(command: str, *rest: str) -> None:
    if command in ("extract", "all"):
        pybabel(*EXTRACT)
    if command in ("update", "all"):
        pybabel(
            "update",
            "-i",
            str(POT),
            "-o",
            str(PO),
            "-l",
            "zh_CN",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
            "--width",
            "100",
        )
    if command == "fill":
        fill(rest[0])
    if command in ("compile", "all", "fill"):
        pybabel("compile", "-i", str(PO), "-o", str(PO.with_suffix(".mo")), "-l", "zh_CN", "--statistics")


if __name__ == "__main__":
    main(*sys.argv[1:])
