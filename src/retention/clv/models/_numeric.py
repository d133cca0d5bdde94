"""Numerical helpers of the purchase models: output wrapping, a guarded 2F1, compressed fitting data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

__all__ = ["CountData", "FloatArray", "Result", "hyp2f1", "series_index", "wrap"]

FloatArray = NDArray[np.float64]
Result = FloatArray | pd.Series | float


def series_index(*inputs: Any) -> pd.Index | None:
    """The index of the first pandas Series among ``inputs`` (None if there is none)."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return item.index
    return None


def wrap(result: FloatArray, index: pd.Index | None, name: str) -> Result:
    """Return a Series if any input was a Series, a float for scalar inputs, else an ndarray."""
    if index is not None and result.ndim == 1 and len(index) == len(result):
        return pd.Series(result, index=index, name=name)
    if result.ndim == 0:
        return float(result)
    return result


def hyp2f1(a: float | FloatArray, b: float | FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """``scipy.special.hyp2f1`` with a guard for its NaNs near ``z = 1``.

    SciPy's connection formula for ``z`` close to 1 breaks down when ``c - a - b`` is an integer and
    returns NaN there; the function is smooth in ``c``, so those entries are re-evaluated at
    ``c (1 +- 1e-10)`` and averaged (error of order 1e-10 relative).
    """
    a, b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    out = np.array(special.hyp2f1(a, b, c, z), dtype=np.float64)
    bad = ~np.isfinite(out)
    if bad.any():
        ab, bb, cb, zb = a[bad], b[bad], c[bad], z[bad]
        out[bad] = 0.5 * (special.hyp2f1(ab, bb, cb * (1 + 1e-10), zb) + special.hyp2f1(ab, bb, cb * (1 - 1e-10), zb))
    return out


@dataclass(frozen=True)
class CountData:
    """Fitting data compressed to unique ``(x, t_x, T)`` rows with weights (customers per row)."""

    x: FloatArray
    tx: FloatArray
    T: FloatArray
    w: FloatArray
    ux: FloatArray  # distinct frequencies
    inv: NDArray[np.intp]  # x == ux[inv]
    w_u: FloatArray  # total weight per distinct frequency

    @classmethod
    def build(cls, x: FloatArray, tx: FloatArray, T: FloatArray, w: FloatArray) -> CountData:
        frame = pd.DataFrame({"x": x, "tx": tx, "T": T, "w": w})
        frame = frame[frame["w"] > 0].groupby(["x", "tx", "T"], sort=True, as_index=False)["w"].sum()
        xs, ws = frame["x"].to_numpy(), frame["w"].to_numpy()
        ux, inv = np.unique(xs, return_inverse=True)
        w_u = np.bincount(inv, weights=ws, minlength=ux.size)
        return cls(xs, frame["tx"].to_numpy(), frame["T"].to_numpy(), ws, ux, inv, w_u)
