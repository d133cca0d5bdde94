"""Per-customer outputs: the risk band and the reasons behind each customer's churn score, in words.

:func:`top_reasons` reads a fitted logistic regression (with or without the BTYD features): a feature's
*push* on one customer is ``coefficient x standardised value``, its share of the customer's log-odds
relative to an average training customer. The reasons describe what the customer's numbers have in
common with past churners (associations), not causes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from retention.churn.design import check_whole
from retention.churn.explain import standardised_features
from retention.churn.models import MODEL_FEATURES
from retention.features import RECENT_DAYS

__all__ = ["RISK_BANDS", "top_reasons", "risk_band", "probability_histogram"]

RISK_BANDS: tuple[str, ...] = ("Low", "Medium", "High")
"""The ordered risk bands of :func:`risk_band`."""

_BTYD_TEXTS = {
    "p_alive": ("purchase model: {chance} likely to still be active",
                "purchase model: only {chance} likely to still be active"),
    "p_no_purchase": ("purchase model: {chance} chance of no order {window}",
                      "purchase model: only {chance} chance of no order {window}"),
    "expected_purchases": ("purchase model expects {value:.1f} orders {window}",
                           "purchase model expects only {value:.1f} orders {window}"),
}


def _chance(value: float) -> str:
    """A probability in words that never claims certainty: "over 99%", "under 1%", else "37%"."""
    if value >= 0.995:
        return "over 99%"
    if value < 0.005:
        return "under 1%"
    return f"{value:.0%}"


def _plural(count: float, word: str) -> str:
    """``"1 order"`` / ``"3 orders"``."""
    return f"{count:.0f} {word}{'' if round(count) == 1 else 's'}"


def _trend_text(trend: float, tenure: float) -> str:
    """The recent-versus-usual order rate in words (customers younger than the window have no trend)."""
    if tenure < RECENT_DAYS:
        return f"new customer: first order {_plural(tenure, 'day')} ago"
    if trend == 0:
        return f"no order in the last {RECENT_DAYS} days"
    if 0.95 <= trend <= 1.05:
        return f"buying as often as usual in the last {RECENT_DAYS} days"
    return f"buys {trend:.1f}x as often as usual in the last {RECENT_DAYS} days"


def _reason(feature: str, row: Mapping[str, float], high: bool, currency: str,
            window: str = "in the horizon") -> str:
    """A churn reason in words with the customer's own numbers; ``high`` = value above the average.

    ``row`` holds the customer's features (some texts need two of them, e.g. a single-order customer has
    no measured gap between orders).
    """
    value, days = float(row[feature]), RECENT_DAYS
    money = f"{currency}{value:,.0f}"
    texts: dict[str, tuple[str, str]] = {
        "Recency": (f"no order for {_plural(value, 'day')}", f"last order only {_plural(value, 'day')} ago"),
        "Frequency": (f"{_plural(value, 'order')} so far", f"only {_plural(value, 'order')} so far"),
        "Monetary": (f"spent {money} in total", f"spent only {money} in total"),
        "Tenure": (f"a customer for {_plural(value, 'day')}", f"a customer for only {_plural(value, 'day')}"),
        "PurchaseVelocity": (f"orders only every {_plural(value, 'day')} on average",
                             f"used to order every {_plural(value, 'day')} on average"),
        "AvgOrderValue": (f"large orders ({money} on average)", f"small orders ({money} on average)"),
        "ReturnRate": (f"returned {value:.0%} of purchases", f"returned only {value:.0%} of purchases"),
        "UniqueProducts": (f"bought {_plural(value, 'different product')}",
                           f"bought only {_plural(value, 'different product')}"),
        "PeakSeasonShare": (f"{value:.0%} of spend in the peak season",
                            f"only {value:.0%} of spend in the peak season"),
        f"Frequency_{days}d": (f"{_plural(value, 'order')} in the last {days} days",
                               f"no order in the last {days} days" if value == 0
                               else f"only {_plural(value, 'order')} in the last {days} days"),
        f"Monetary_{days}d": (f"spent {money} in the last {days} days",) * 2,
        "OrdersPerMonthRecentVsOverall": (_trend_text(value, float(row.get("Tenure", RECENT_DAYS))),) * 2,
    }
    if feature in ("PurchaseVelocity", "Tenure") and row.get("Frequency", 2) <= 1:
        return "only 1 order so far"  # no measured gap between orders; tenure = recency for a one-off buyer
    if feature in (f"Frequency_{days}d", "OrdersPerMonthRecentVsOverall") and value == 0 and "Recency" in row:
        return f"no order for {_plural(float(row['Recency']), 'day')}"  # "none in the last 90 days", precisely
    if feature in _BTYD_TEXTS:
        return _BTYD_TEXTS[feature][0 if high else 1].format(chance=_chance(value), value=value, window=window)
    high_text, low_text = texts.get(feature, (f"high {feature} ({value:g})", f"low {feature} ({value:g})"))
    return high_text if high else low_text


def _customer_reasons(push: np.ndarray, above: np.ndarray, row: Mapping[str, float], columns: Sequence[str],
                      n: int, currency: str, window: str = "in the horizon") -> list[str]:
    """Up to ``n`` distinct texts for the features with the largest positive pushes of one customer."""
    words: list[str] = []
    for j in np.argsort(-push, kind="stable"):
        if push[j] <= 0 or len(words) == n:
            break
        text = _reason(columns[j], row, bool(above[j]), currency, window)
        if text not in words:
            words.append(text)
    return words


def top_reasons(fitted_lr: BaseEstimator, live_features: pd.DataFrame, n: int = 2, *, currency: str = "£",
                no_reason: str = "recent, regular buyer", horizon_days: int | None = None) -> pd.Series:
    """The ``n`` features pushing each customer most towards churn, in words with their own numbers.

    A feature's push is ``coefficient x standardised value`` in the logistic regression (its share of
    the customer's log-odds relative to an average training customer). Only positive pushes count;
    two features that read the same (no order in the last 90 days) give one reason.

    Parameters
    ----------
    fitted_lr : fitted estimator
        A logistic regression of :func:`~retention.churn.fit_models` / :func:`~retention.churn.refit`
        (``"Logistic regression"`` or ``"Logistic regression + BTYD"``).
    live_features : pandas.DataFrame
        Feature frame (e.g. :meth:`retention.engine.Session.customer_features` at the live cutoff, with the BTYD
        columns when the model reads them).
    n : int, default 2
        Reasons per customer at most.
    currency : str, default "£"
        Symbol put before amounts.
    no_reason : str, default "recent, regular buyer"
        Text when nothing pushes the customer towards churn.
    horizon_days : int, optional
        The churn horizon, for the purchase model's reasons ("in the next 90 days"; "in the horizon" without).

    Returns
    -------
    pandas.Series
        One string per customer (index of ``live_features``), reasons joined with "; ", e.g.
        "no order for 140 days; buys 0.5x as often as usual in the last 90 days".
    """
    check_whole(n, "n", 1)
    z, coef = standardised_features(fitted_lr, live_features)
    push = z * coef
    columns = list(push.columns)
    names = [c for c in (*MODEL_FEATURES, *_BTYD_TEXTS) if c in live_features.columns]
    rows = live_features[names].astype(float).fillna(0.0).to_dict(orient="records")
    pushes, above = push.to_numpy(), z.to_numpy() > 0
    window = "in the horizon" if horizon_days is None else f"in the next {horizon_days} days"
    texts = [
        "; ".join(_customer_reasons(pushes[i], above[i], rows[i], columns, n, currency, window)) or no_reason
        for i in range(len(rows))
    ]
    return pd.Series(texts, index=live_features.index, name="reasons", dtype="str")


def risk_band(proba: Any, bands: tuple[float, float] = (0.3, 0.6)) -> pd.Series:
    """Low / Medium / High churn risk from probabilities.

    Parameters
    ----------
    proba : array-like or pandas.Series
        Churn probabilities.
    bands : (float, float), default (0.3, 0.6)
        ``p < bands[0]`` is Low, ``bands[0] <= p < bands[1]`` Medium, ``p >= bands[1]`` High.

    Returns
    -------
    pandas.Series
        Ordered categorical (Low < Medium < High), index of ``proba`` when it is a Series.
    """
    low, high = (float(b) for b in bands)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"bands must be two increasing numbers between 0 and 1, got {bands!r}.")
    index = proba.index if isinstance(proba, pd.Series) else None
    values = np.asarray(proba, dtype=float)
    if np.isnan(values).any():
        raise ValueError("proba has missing values.")
    codes = np.searchsorted([low, high], values, side="right")
    categories = pd.Categorical.from_codes(codes, categories=list(RISK_BANDS), ordered=True)
    return pd.Series(categories, index=index, name="risk_band")


def probability_histogram(proba: Any, bands: tuple[float, float] = (0.3, 0.6), width: float = 0.05) -> pd.DataFrame:
    """Customers per probability bin (for a chart that does not grow with the number of customers).

    Parameters
    ----------
    proba : array-like
        Churn probabilities.
    bands : (float, float), default (0.3, 0.6)
        The risk bands (as in :func:`risk_band`); each bin gets the band of its middle.
    width : float, default 0.05
        Bin width; bins are ``[k * width, (k + 1) * width)``, the last closed at 1.

    Returns
    -------
    pandas.DataFrame
        One row per bin from 0 to 1 (empty bins included): ``lo``, ``hi``, ``customers``, ``risk_band``.
    """
    values = np.asarray(proba, dtype=float)
    if np.isnan(values).any():
        raise ValueError("proba has missing values.")
    n_bins = int(round(1.0 / width))
    if not np.isclose(n_bins * width, 1.0):
        raise ValueError(f"width must divide 1 into whole bins, got {width!r}.")
    edges = np.round(np.arange(n_bins + 1) * width, 10)
    counts = np.bincount(np.minimum((values / width).astype(np.int64), n_bins - 1), minlength=n_bins)
    lows = edges[:-1]
    return pd.DataFrame({"lo": lows, "hi": edges[1:], "customers": counts.astype(np.int64),
                         "risk_band": risk_band(lows + width / 2, bands).astype(str).to_numpy()})
