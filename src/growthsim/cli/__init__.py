"""The `growthsim` command line: a thin layer that parses options, calls the library and renders the
result, one module per command (``run``, ``compare`` with ``diff``, ``solve``, ``sensitivity``,
``report``, ``history``, and ``inspect`` for validate, show and distributions) on the application of ``app``,
with the options they share in ``options`` and what they do around the library in ``common``.
"""

# isort: off
# app first: it chooses the language before Typer loads (Typer translates its own words on import)
from growthsim.cli.app import EXIT_INPUT, EXIT_INTERNAL, app, main

# the commands, imported in the order `growthsim --help` lists them (importing one adds it to app)
from growthsim.cli import run, compare, solve, sensitivity, report, history, calibrate, inspect  # noqa: F401
# isort: on

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "app", "main"]
