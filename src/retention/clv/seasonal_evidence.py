"""The evidence behind a seasonal index: quasi-Poisson F tests of its components, and the plain-language note.

A calendar component (month of year, weekday) is tested on the daily repeat-purchase counts with the
stationary model's expected purchases as exposure (offset). Both the full and the reduced model carry a
quadratic trend in time, so a month effect only counts as seasonal when the monthly profile departs from
a smooth drift, which a misfitting purchase model also produces when it sees a single year (see
:mod:`.seasonality`). Statistic: ``F = (deviance difference / df) / dispersion`` with the Pearson
dispersion of the full model (Wedderburn 1974; McCullagh & Nelder 1989, section 6.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from .models.base import FloatArray

if TYPE_CHECKING:
    from .seasonality import SeasonalIndex

__all__ = ["COMPONENT_MIN_DAYS", "MAX_AGE_CALENDAR_CORRELATION", "component_tests", "seasonality_note"]

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Days of history a component needs before it is estimated.
COMPONENT_MIN_DAYS: dict[str, int] = {"month": 365, "weekday": 28}
#: Above this correlation between customer age and calendar date (over the repeat purchases) a month effect
#: cannot be told apart from the ageing of the base: the customers were acquired at about the same time.
MAX_AGE_CALENDAR_CORRELATION: float = 0.9


def _deviance(counts: FloatArray, mu: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(counts > 0, counts * np.log(counts / mu), 0.0)
    return float(2.0 * np.sum(term - (counts - mu)))


def _poisson_glm(counts: FloatArray, offset: FloatArray, design: FloatArray, iters: int = 100) -> FloatArray:
    """Fitted means of the Poisson GLM ``log mu = offset + design @ beta`` by iteratively reweighted least
    squares (minimum-norm steps, so a rank-deficient design is fine)."""
    beta = np.zeros(design.shape[1])
    mu = np.exp(offset) * counts.sum() / np.exp(offset).sum()
    eta = np.log(mu)
    for _ in range(iters):
        z = eta - offset + (counts - mu) / mu
        sw = np.sqrt(mu)
        new = np.linalg.lstsq(design * sw[:, None], z * sw, rcond=None)[0]
        eta = offset + design @ new
        mu = np.exp(eta)
        if np.max(np.abs(new - beta)) < 1e-9:
            break
        beta = new
    return mu


def _dummies(codes: NDArray[np.int64], size: int) -> FloatArray:
    return (codes[:, None] == np.arange(1, size)[None, :]).astype(np.float64)


def component_tests(counts: FloatArray, rho: FloatArray, month: NDArray[np.int64], weekday: NDArray[np.int64],
                    components: Sequence[str]) -> pd.DataFrame:
    """Quasi-Poisson F test of each component, dropped from the full model (module docstring).

    ``counts`` are the daily repeat purchases, ``rho`` the exposure (days with ``rho == 0`` are left out),
    ``month``/``weekday`` the calendar codes of the days. Returns one row per component: ``F``, ``df_num``,
    ``df_den``, ``dispersion``, ``p_value``.
    """
    keep = rho > 0
    counts, offset = counts[keep], np.log(rho[keep])
    t = np.linspace(-1.0, 1.0, counts.size)
    blocks = {"month": _dummies(month[keep], 12), "weekday": _dummies(weekday[keep], 7)}
    trend = np.column_stack([np.ones(counts.size), t, t**2])

    def design(comps: Sequence[str]) -> FloatArray:
        return np.column_stack([trend] + [blocks[c] for c in comps])

    full_x = design(components)
    full = _poisson_glm(counts, offset, full_x)
    df_resid = counts.size - np.linalg.matrix_rank(full_x)
    dispersion = max(float(np.sum((counts - full) ** 2 / full)) / max(df_resid, 1), 1e-12)
    rows = []
    for comp in components:
        reduced_x = design([c for c in components if c != comp])
        df_num = np.linalg.matrix_rank(full_x) - np.linalg.matrix_rank(reduced_x)
        reduced = _poisson_glm(counts, offset, reduced_x)
        f_stat = max(_deviance(counts, reduced) - _deviance(counts, full), 0.0) / max(df_num, 1) / dispersion
        rows.append({"component": comp, "F": f_stat, "df_num": int(df_num), "df_den": int(df_resid),
                     "dispersion": dispersion, "p_value": float(stats.f.sf(f_stat, df_num, df_resid))})
    return pd.DataFrame(rows, columns=["component", "F", "df_num", "df_den", "dispersion", "p_value"])


_COMPONENT_NAMES = {"month": "month of year", "weekday": "weekday"}


def _fmt_p(p: float) -> str:
    return "p < 1e-10" if p < 1e-10 else f"p = {p:.2g}"


def _extremes(values: Sequence[float], names: Sequence[str], what: str) -> str:
    hi, lo = int(np.argmax(values)), int(np.argmin(values))
    return f"busiest {what} {names[hi]} ({values[hi]:.2f}x an average day), quietest {names[lo]} ({values[lo]:.2f}x)"


def seasonality_note(history_days: int, tests: pd.DataFrame, used: Sequence[str], index: SeasonalIndex,
                     setting: bool | str, level: float, age_corr: float = float("nan")) -> str:
    """One plain paragraph on the seasonality decision (what was used, the evidence, what could not be estimated)."""
    if setting is False:
        return "Stationary model: seasonality switched off."
    evidence = "; ".join(f"{_COMPONENT_NAMES[r.component]}: F = {r.F:.3g}, {_fmt_p(r.p_value)}"
                         for r in tests.itertuples()) if not tests.empty else ""
    short = [f"a {_COMPONENT_NAMES[c]} pattern needs {d} days"
             for c, d in COMPONENT_MIN_DAYS.items() if history_days < d]
    missing = f" Not estimable from {history_days} days of history: {', '.join(short)}." if short else ""
    if age_corr > MAX_AGE_CALENDAR_CORRELATION:
        missing += (" No month-of-year index: the customers were acquired at about the same time, so calendar month "
                    f"and customer age move together (correlation {age_corr:.2f} over the repeat purchases) and a "
                    "month effect cannot be told apart from the ageing of the base.")
    if not used:
        why = ("no calendar component is estimable" if tests.empty else
               f"no evidence of a calendar pattern beyond a smooth trend ({evidence}; a component needs p < {level:g})")
        return f"Stationary model: {why}.{missing}"
    shape = []
    if "month" in used:
        shape.append(_extremes(index.month, MONTH_NAMES, "month"))
    if "weekday" in used:
        shape.append(_extremes(index.weekday, WEEKDAY_NAMES, "weekday"))
    how = "pinned by the caller" if setting is True else f"each with p < {level:g}"
    return (f"Seasonal model in operational time with {' and '.join(_COMPONENT_NAMES[c] for c in used)} effects "
            f"({how}; {evidence}) from {history_days} days of purchases: {'; '.join(shape)}.{missing}")
