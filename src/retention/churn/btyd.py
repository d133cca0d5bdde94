"""BTYD ("buy 'til you die") outputs as churn features, each computed without looking past its cutoff.

For every cutoff a purchase model is fitted on the purchase history up to and including the cutoff day
only (no labels, nothing after the cutoff), and read for the customers active by then:

* ``p_alive`` -- P(the customer is still active at the cutoff);
* ``p_no_purchase`` -- P(no purchase in the ``horizon_days`` after the cutoff): the BTYD model's own
  answer to the churn question, and the BTYD baseline of the comparison;
* ``expected_purchases`` -- expected number of purchases in those ``horizon_days``.

The purchase model is pluggable: anything with the interface of :class:`retention.clv.BetaGeoModel`
(``fit(frequency, recency, T)``, ``probability_alive``, ``probability_no_purchase`` and
``conditional_expected_purchases``), e.g. the modified BG/NBD or Pareto/NBD of :mod:`retention.clv`.
The default is the BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers" the Easy Way,
*Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn.base import clone

from retention.churn.design import check_whole

__all__ = ["BTYD_FEATURES", "FALLBACK_PENALIZER", "PurchaseModel", "btyd_features", "add_btyd_features"]

BTYD_FEATURES: tuple[str, ...] = ("p_alive", "p_no_purchase", "expected_purchases")
"""The per-customer columns :func:`btyd_features` adds."""

FALLBACK_PENALIZER = 1e-4
"""L2 penalty of the refit when a purchase model without penalty gives non-finite predictions (small data)."""

_DAYS_PER_UNIT = {"D": 1.0, "W": 7.0}


class PurchaseModel(Protocol):
    """What :func:`btyd_features` needs from a BTYD purchase model (the interface of ``BetaGeoModel``)."""

    def fit(self, frequency: Any, recency: Any, T: Any) -> PurchaseModel: ...
    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any: ...
    def probability_no_purchase(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any: ...
    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any: ...


def _default_model() -> PurchaseModel:
    from retention.clv import BetaGeoModel

    return BetaGeoModel()


def btyd_features(transactions: pd.DataFrame, cutoff: Any, horizon_days: int, unit: str = "W", *,
                  model: PurchaseModel | None = None) -> pd.DataFrame:
    """P(alive), P(no purchase in the horizon) and expected purchases per customer, as of ``cutoff``.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Clean purchase lines with CustomerID, InvoiceDate and Revenue (as for
        :func:`retention.clv.rfm_summary`). Lines after the cutoff day are ignored.
    cutoff : date-like
        The cutoff day (the whole day is history).
    horizon_days : int
        The churn horizon ``H`` in days.
    unit : {"D", "W"}, default "W"
        Time unit the purchase model is fitted in (weeks, as in the papers).
    model : PurchaseModel, optional
        An unfitted purchase model (cloned, never modified); default :class:`retention.clv.BetaGeoModel`.
        When its predictions are not finite (on little data the maximum-likelihood BG/NBD can run off to
        ``a, b -> infinity``) and it has a ``penalizer``, it is refitted with :data:`FALLBACK_PENALIZER`
        and a RuntimeWarning says so.

    Returns
    -------
    pandas.DataFrame
        Index CustomerID (every customer with a purchase on or before the cutoff day, sorted), columns
        :data:`BTYD_FEATURES` as floats.
    """
    from retention.clv import rfm_summary

    check_whole(horizon_days, "horizon_days", 1)
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}.")
    summary = rfm_summary(transactions, cutoff, unit=unit)
    if summary.empty:
        raise ValueError(f"No customer has a purchase on or before the cutoff {pd.Timestamp(cutoff).date()}.")
    data = tuple(summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    t = horizon_days / _DAYS_PER_UNIT[unit]
    unfitted = clone(model if model is not None else _default_model())
    try:
        values = _predictions(unfitted, t, *data)
    except FloatingPointError:
        if "penalizer" not in unfitted.get_params():
            raise
        warnings.warn(f"The purchase model fitted on the history to {pd.Timestamp(cutoff).date()} is degenerate "
                      f"(its predictions are not finite, e.g. a and b of BG/NBD run off to infinity on little data); "
                      f"it was refitted with penalizer={FALLBACK_PENALIZER:g}.", RuntimeWarning, stacklevel=2)
        values = _predictions(clone(unfitted).set_params(penalizer=FALLBACK_PENALIZER), t, *data)
    frame = pd.DataFrame(values, index=summary.index)
    frame.index.name = "CustomerID"
    return frame


def _predictions(model: PurchaseModel, t: float, x: np.ndarray, tx: np.ndarray,
                 age: np.ndarray) -> dict[str, np.ndarray]:
    """Fit ``model`` and read the :data:`BTYD_FEATURES`; FloatingPointError when any is not finite."""
    fitted = model.fit(x, tx, age)
    with np.errstate(invalid="ignore", over="ignore"):
        values = {
            "p_alive": fitted.probability_alive(x, tx, age),
            "p_no_purchase": fitted.probability_no_purchase(t, x, tx, age),
            "expected_purchases": fitted.conditional_expected_purchases(t, x, tx, age),
        }
    values = {k: np.asarray(v, dtype=float) for k, v in values.items()}
    if not all(np.isfinite(v).all() for v in values.values()):
        raise FloatingPointError("non-finite BTYD predictions")
    return values


def add_btyd_features(frame: pd.DataFrame, transactions: pd.DataFrame, horizon_days: int, *, unit: str = "W",
                      cutoff: Any = None, model: PurchaseModel | None = None) -> pd.DataFrame:
    """``frame`` with the :data:`BTYD_FEATURES` of each row's customer at each row's cutoff.

    Parameters
    ----------
    frame : pandas.DataFrame
        Either examples from :func:`~retention.churn.build_examples` (``CustomerID`` and ``cutoff``
        columns; one purchase model is fitted per distinct cutoff), or live features indexed by
        CustomerID together with ``cutoff``.
    transactions : pandas.DataFrame
        The clean purchase lines the frame was built from.
    horizon_days : int
        The churn horizon ``H`` in days.
    unit : {"D", "W"}, default "W"
        Time unit of the purchase model.
    cutoff : date-like, optional
        The cutoff of every row; required when ``frame`` has no ``cutoff`` column.
    model : PurchaseModel, optional
        As in :func:`btyd_features`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same index and row order) with the three columns added (replaced when
        present). Every row's customer has a purchase on or before its cutoff, so no value is missing.
    """
    clash = [c for c in BTYD_FEATURES if c in frame.columns]
    out = frame.drop(columns=clash)
    if "cutoff" in out.columns:
        ids, cutoffs = out["CustomerID"], out["cutoff"]
    elif cutoff is not None:
        ids = out["CustomerID"] if "CustomerID" in out.columns else pd.Series(out.index, index=out.index)
        cutoffs = pd.Series(pd.Timestamp(cutoff), index=out.index)
    else:
        raise ValueError("frame has no 'cutoff' column; pass cutoff= (e.g. the live cutoff).")
    values = np.full((len(out), len(BTYD_FEATURES)), np.nan)
    for day in sorted(pd.unique(cutoffs)):
        rows = np.flatnonzero((cutoffs == day).to_numpy())
        table = btyd_features(transactions, day, horizon_days, unit, model=model)
        found = table.reindex(ids.iloc[rows].to_numpy())
        if found.isna().any(axis=None):
            unknown = found.index[found.isna().any(axis=1)][:5].tolist()
            raise ValueError(f"Customers {unknown} have no purchase on or before {pd.Timestamp(day).date()}; "
                             f"the frame does not come from these transactions.")
        values[rows] = found.to_numpy()
    return out.assign(**{c: values[:, j] for j, c in enumerate(BTYD_FEATURES)})
