"""The flat layout of growthsim 0.1 (``growthsim.render``, ``growthsim.sampling``, …), kept importable
for one version: each old module name is an alias of the module in its new package, with a
DeprecationWarning that names the new place. Nothing inside growthsim imports through here.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from typing import Any

# growthsim 0.1 module -> its place since 0.2. growthsim.scenario and growthsim.engine are packages
# now: their old names are served by the packages' own __getattr__ (see ``package_exports``).
# A module split in two or more since is a tuple: its old name gathers their public names.
MOVED_MODULES: dict[str, str | tuple[str, ...]] = {
    "growthsim.distributions": ("growthsim.stats.distributions", "growthsim.scenario.families"),
    "growthsim.dependence": "growthsim.stats.dependence",
    "growthsim.intervals": "growthsim.stats.intervals",
    "growthsim.sketch": "growthsim.stats.sketch",
    "growthsim.diagnostics": "growthsim.scenario.diagnostics",
    "growthsim.tomlmap": "growthsim.scenario.tomlmap",
    "growthsim.reading": "growthsim.scenario.reading",
    "growthsim.layers": ("growthsim.scenario.layers", "growthsim.scenario.merging"),
    "growthsim.quantities": "growthsim.scenario.quantities",
    "growthsim.targets": "growthsim.scenario.targets",
    "growthsim.formulas": "growthsim.scenario.formulas",
    "growthsim.validation": "growthsim.scenario.validation",
    "growthsim.validation_links": "growthsim.scenario.validation.links",
    "growthsim.bundled": "growthsim.scenario.bundled",
    "growthsim.model": "growthsim.engine.model",
    "growthsim.sampling": ("growthsim.engine.sampling", "growthsim.engine.streams"),
    "growthsim.links": "growthsim.engine.links",  # and computation_order: EXTRA_NAMES
    "growthsim.evaluation": "growthsim.engine.evaluation",
    "growthsim.summary": ("growthsim.engine.summary", "growthsim.engine.accumulate"),
    "growthsim.achieved": "growthsim.engine.achieved",
    "growthsim.events": ("growthsim.scenario.events", "growthsim.engine.events"),
    "growthsim.compare": ("growthsim.analysis.compare", "growthsim.analysis.diff"),
    "growthsim.solve": ("growthsim.analysis.solve", "growthsim.analysis.curve"),
    "growthsim.sensitivity": "growthsim.analysis.sensitivity",
    "growthsim.render": (
        "growthsim.output.wording",
        "growthsim.output.records",
        "growthsim.output.tables",
        "growthsim.output.show",
    ),
    "growthsim.render_compare": ("growthsim.output.comparison", "growthsim.output.diff"),
    "growthsim.export": ("growthsim.output.folders", "growthsim.output.staging"),
    "growthsim.workbook": ("growthsim.output.workbook", "growthsim.output.sheets"),
    "growthsim.charts": ("growthsim.output.charts", "growthsim.output.figures"),
    "growthsim.report": ("growthsim.output.report", "growthsim.output.report_html"),
    "growthsim.frames": "growthsim.output.frames",
}


# Names of 0.1 modules that are not among the public names of the modules they became.
EXTRA_NAMES: dict[str, dict[str, str]] = {
    "growthsim.summary": {"Probability": "growthsim.stats.intervals", "Estimate": "growthsim.stats.intervals"},
    "growthsim.sampling": {"quantity_at": "growthsim.stats.distributions"},
    "growthsim.links": {"computation_order": "growthsim.engine.model"},
    "growthsim.compare": {"what_if": "growthsim.scenario.loading"},
}


def _moved(old: str, new: str, stacklevel: int = 3) -> None:
    warnings.warn(
        f"{old} has moved to {new}: import it from there ({old} goes in growthsim 0.3)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class _Gathered(types.ModuleType):
    """A 0.1 module that became several: each name is looked up where it lives now, with a warning
    that names that place (not every module the old one became)."""

    def __init__(self, name: str, homes: dict[str, str]) -> None:
        super().__init__(
            name, f"growthsim 0.1's {name}: its names now live in {', '.join(sorted(set(homes.values())))}"
        )
        self._homes = homes

    def __getattr__(self, attribute: str) -> Any:
        home = self.__dict__["_homes"].get(attribute)
        if home is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}")
        _moved(f"{self.__name__}.{attribute}", f"{home}.{attribute}")
        return getattr(importlib.import_module(home), attribute)

    def __dir__(self) -> list[str]:
        return sorted(self.__dict__["_homes"])


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str | tuple[str, ...]) -> None:
        self.new = new

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        extras = EXTRA_NAMES.get(spec.name, {})
        if isinstance(self.new, str) and not extras:  # the old name is the new module itself, not a copy
            _moved(spec.name, self.new, stacklevel=4)
            return importlib.import_module(self.new)
        homes: dict[str, str] = {}
        for name in (self.new,) if isinstance(self.new, str) else self.new:
            homes |= dict.fromkeys(importlib.import_module(name).__all__, name)
        return _Gathered(spec.name, homes | extras)

    def exec_module(self, module: types.ModuleType) -> None:  # already executed under its new name
        pass


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds a 0.1 module name (after the ordinary finders found no such module) as an alias."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        new = MOVED_MODULES.get(fullname)
        return importlib.util.spec_from_loader(fullname, _Alias(new)) if new else None


class _FrontDoor(types.ModuleType):
    """The growthsim package itself. Importing a submodule makes the import system set it as an
    attribute of its package: importing 0.1's growthsim.compare (a module now only an alias) would
    replace the front door's function growthsim.compare. The front door's names are kept."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in self.__dict__.get("_EXPORTS", {}):
            return  # a 0.1 module alias named like a front-door function: the function stays
        super().__setattr__(name, value)


def install(package: str) -> None:
    """Serve 0.1's module names, and keep ``package``'s front door from being overwritten by them."""
    sys.modules[package].__class__ = _FrontDoor
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())


def package_exports(package: str, exports: dict[str, str], old_module: str | None = None):
    """A PEP 562 ``__getattr__`` for a package: its front-door names, imported on first use (so that
    `growthsim --help` loads no numpy), and, for a package that was a module in 0.1 (``old_module``,
    e.g. growthsim.engine), that module's other names, with a DeprecationWarning naming their place."""

    def __getattr__(name: str):
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
        elif old_module is not None and not name.startswith("__"):
            try:
                value = getattr(importlib.import_module(old_module), name)
            except AttributeError:
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            _moved(f"{package}.{name}", f"{old_module}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
