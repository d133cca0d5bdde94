"""What the uplift learners know about a customer: their features and purchase outlook as of a date.

* :func:`send_date_features` -- each test customer's features (:meth:`retention.engine.Session.customer_features`,
  computed by the engine at every send date at once) as of their own send date: that day included, nothing
  after it.
* :func:`purchase_outlook` -- from the same history, the BG/NBD model's (Fader, Hardie & Lee 2005) outlook:
  P(still a customer), P(buying in the next ``window_days``) and the expected purchases then; with
  ``horizon_days`` also P(no purchase in that horizon), the churn report's BTYD baseline. The chance of
  buying in the outcome window without the offer is what an offer's effect turns on (customers who will
  buy anyway, or never, gain nothing), so the learners get it as a feature.

:data:`LEARNER_FEATURES` are the columns the learners use: :data:`UPLIFT_FEATURES` and :data:`OUTLOOK_FEATURES`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["UPLIFT_FEATURES", "OUTLOOK_FEATURES", "LEARNER_FEATURES", "send_date_features", "purchase_outlook",
           "learner_features"]

UPLIFT_FEATURES: tuple[str, ...] = ("Recency", "Frequency", "Monetary", "Tenure", "PurchaseVelocity",
                                    "AvgOrderValue", "ReturnRate", "PeakSeasonShare", "Frequency_90d",
                                    "Monetary_90d", "OrdersPerMonthRecentVsOverall")
"""Numeric columns of :meth:`retention.engine.Session.customer_features` the learners use."""

OUTLOOK_FEATURES: tuple[str, ...] = ("p_alive", "p_buy_window", "expected_purchases_window")
"""The BG/NBD outlook columns of :func:`purchase_outlook` the learners use."""

LEARNER_FEATURES: tuple[str, ...] = UPLIFT_FEATURES + OUTLOOK_FEATURES
"""Every column the learners see."""

_DAYS_PER_UNIT = {"D": 1.0, "W": 7.0}
_FALLBACK_PENALIZER = 1e-4


def send_date_features(features_at: pd.DataFrame, assignment: pd.DataFrame,
                       columns: Sequence[str] = UPLIFT_FEATURES) -> pd.DataFrame:
    """Each test customer's features as of their own send date.

    Parameters
    ----------
    features_at : pandas.DataFrame
        ``cutoff``, ``CustomerID`` and the feature columns at every send date (the engine's
        :meth:`~retention.engine.Session.customer_features_at`).
    assignment : pandas.DataFrame
        ``CustomerID`` and ``sent_at``.
    columns : sequence of str
        The feature columns to keep.

    Returns
    -------
    pandas.DataFrame
        Index CustomerID (sorted), ``columns``. Customers with no purchase up to their send date get no row.
    """
    wanted = pd.DataFrame({"CustomerID": assignment["CustomerID"].astype(str),
                           "cutoff": pd.to_datetime(assignment["sent_at"]).dt.normalize()})
    found = features_at.assign(CustomerID=features_at["CustomerID"].astype(str),
                               cutoff=pd.to_datetime(features_at["cutoff"]))
    table = wanted.merge(found[["cutoff", "CustomerID", *columns]], on=["cutoff", "CustomerID"], how="inner")
    return table.set_index("CustomerID")[list(columns)].sort_index()


def _fitted(summary: pd.DataFrame, date: object) -> object:
    from retention.clv import BetaGeoModel

    data = tuple(summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    model = BetaGeoModel().fit(*data)
    with np.errstate(invalid="ignore", over="ignore"):
        alive = np.asarray(model.probability_alive(*data), dtype=float)
    if np.isfinite(alive).all():
        return model
    warnings.warn(f"The BG/NBD model fitted on the history to {date} is degenerate (non-finite predictions); it "
                  f"was refitted with penalizer={_FALLBACK_PENALIZER:g}.", RuntimeWarning, stacklevel=3)
    return BetaGeoModel(penalizer=_FALLBACK_PENALIZER).fit(*data)


def purchase_outlook(summary: pd.DataFrame, window_days: int, *, unit: str = "W",
                     horizon_days: int | None = None, as_of: object = None) -> pd.DataFrame:
    """The BG/NBD outlook of every customer of an RFM summary, from their history only.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`retention.clv.rfm_summary` as of the date (index CustomerID; frequency, recency, T in ``unit``),
        e.g. the engine's :meth:`~retention.engine.Session.rfm_summary`.
    window_days : int
        The outcome window, in days.
    unit : {"D", "W"}
        Time unit of the summary.
    horizon_days : int, optional
        A churn horizon: adds ``p_no_purchase_horizon``.
    as_of : date-like, optional
        The summary's date, for messages.

    Returns
    -------
    pandas.DataFrame
        Index CustomerID: :data:`OUTLOOK_FEATURES` (and ``p_no_purchase_horizon``).
    """
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"unit must be 'D' (days) or 'W' (weeks), got {unit!r}")
    if len(summary) < 2:
        raise ValueError("the BG/NBD outlook needs the history of at least two customers")
    model = _fitted(summary, as_of)
    data = tuple(summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    t = window_days / _DAYS_PER_UNIT[unit]
    columns = {"p_alive": model.probability_alive(*data),
               "p_buy_window": 1.0 - np.asarray(model.probability_no_purchase(t, *data), dtype=float),
               "expected_purchases_window": model.conditional_expected_purchases(t, *data)}
    if horizon_days is not None:
        columns["p_no_purchase_horizon"] = model.probability_no_purchase(horizon_days / _DAYS_PER_UNIT[unit], *data)
    out = pd.DataFrame({k: np.clip(np.asarray(v, dtype=float), 0.0, None) for k, v in columns.items()},
                       index=summary.index)
    out.index.name = "CustomerID"
    return out


def learner_features(features: pd.DataFrame, outlook: pd.DataFrame) -> pd.DataFrame:
    """:data:`LEARNER_FEATURES` of the customers of ``features`` (the outlook joined on CustomerID)."""
    table = features[list(UPLIFT_FEATURES)].join(outlook[list(OUTLOOK_FEATURES)], how="left")
    missing = table.index[table.isna().any(axis=1)]
    if len(missing):
        raise ValueError(f"{len(missing)} customers have missing features, e.g. {list(missing[:3])}; features and "
                         f"outlook must come from the same history")
    return table[list(LEARNER_FEATURES)]
