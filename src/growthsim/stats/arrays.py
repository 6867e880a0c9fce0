"""The array types every stage passes around, named once: a row of draws or probabilities is
``Floats`` (float64), a row of hit flags ``Bools``, a row of indices ``Ints``; any other shape or
dtype says so where it is used (``npt.NDArray[...]``)."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["Bools", "Floats", "Ints"]

Floats: TypeAlias = npt.NDArray[np.float64]
Bools: TypeAlias = npt.NDArray[np.bool_]
Ints: TypeAlias = npt.NDArray[np.int64]
