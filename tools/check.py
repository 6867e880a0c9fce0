"""All of growthsim's checks, in the order CI runs them, stopping at the first that fails:

    .venv/bin/python tools/check.py            # import contracts, lint, format, types, tests
    .venv/bin/python tools/check.py -x -k cli  # ... with these arguments passed to pytest

The README's test command ends with this, and .ci/run runs that command (tests/test_docs.py checks
that the two stay the same), so a green CI means a new user's setup passes every check.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtual environment's scripts, beside its python


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists() or (found := BIN / f"{name}.exe").exists():
        return str(found)
    located = shutil.which(name)
    if located is None:
        sys.exit(f"tools/check.py: {name} is not installed: run  pip install -e '.[test]'")
    return located


CHECKS = [
    ("import contracts", lambda: [_tool("lint-imports"), "--no-cache"]),
    ("lint", lambda: [_tool("ruff"), "check", "."]),
    ("format", lambda: [_tool("ruff"), "format", "--check", "."]),
    ("types", lambda: [_tool("mypy")]),
]


def main(pytest_args: list[str]) -> int:
    steps = [*CHECKS, ("tests", lambda: [sys.executable, "-m", "pytest", *pytest_args])]
    for title, command in steps:
        print(f"== {title}", flush=True)
        started = time.monotonic()
        code = subprocess.call(command(), cwd=ROOT)
        if code:
            print(f"== {title}: failed (exit {code})", flush=True)
            return code
        print(f"== {title}: passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
