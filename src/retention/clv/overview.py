"""The value report's tables from a fitted :class:`~.value.CustomerValues`: totals with their intervals, value by
group, the model parameters with their meaning, the backtest's distinct candidates, and the check against a known
future (generated data).

Everything here reads the fitted models and the value table; nothing is refitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .backtest import Backtest
from .forecast import PurchaseForecast
from .models import MODELS, GammaGammaModel
from .value import CustomerValues

__all__ = ["backtest_candidates", "forecast_against_truth", "parameter_table", "value_at_stake", "value_by_group",
           "value_totals"]

_UNIT_WORDS = {"D": "day", "W": "week"}


def value_at_stake(values: pd.DataFrame, margin: float) -> pd.DataFrame:
    """``value_at_stake`` = margin x ``expected_revenue_if_alive`` (the decision vocabulary of
    :mod:`retention.decisions`), with its 5 %/95 % columns when the value table has them."""
    out = pd.DataFrame({"value_at_stake": margin * values["expected_revenue_if_alive"]}, index=values.index)
    for end in ("p05", "p95"):
        column = f"expected_revenue_if_alive_{end}"
        if column in values.columns:
            out[f"value_at_stake_{end}"] = margin * values[column]
    return out


def _draw_totals(draws: np.ndarray | None, lower: float, upper: float) -> tuple[float, float]:
    if draws is None:
        return float("nan"), float("nan")
    totals = draws.sum(axis=0)
    return float(np.quantile(totals, lower)), float(np.quantile(totals, upper))


def value_totals(fitted: CustomerValues, margin: float, lower: float = 0.05, upper: float = 0.95) -> dict[str, Any]:
    """Totals over the customers with the interval of each total over the parameter draws.

    The interval of a total is the quantiles of the per-draw totals (one parameter set for everyone in a draw),
    not the sum of per-customer quantiles. Keys: ``customers``, ``clv`` / ``clv_low`` / ``clv_high``,
    ``expected_revenue_if_alive`` (and low/high), ``value_at_stake`` (and low/high), ``expected_purchases``,
    ``p_alive_mean``, ``active_share`` (P(alive) above one half), ``top20_share`` (share of the CLV held by
    the 20 % most valuable customers).
    """
    values, draws = fitted.values, fitted.draws
    clv = values["clv"].to_numpy()
    ranked = np.sort(clv)[::-1]
    top = ranked[: int(np.ceil(0.2 * ranked.size))].sum() / ranked.sum() if ranked.sum() > 0 else float("nan")
    clv_low, clv_high = _draw_totals(None if draws is None else draws.clv, lower, upper)
    rev_low, rev_high = _draw_totals(None if draws is None else draws.expected_revenue_if_alive, lower, upper)
    revenue = float(values["expected_revenue_if_alive"].sum())
    return {
        "customers": int(len(values)),
        "clv": float(clv.sum()), "clv_low": clv_low, "clv_high": clv_high,
        "expected_revenue_if_alive": revenue, "expected_revenue_if_alive_low": rev_low,
        "expected_revenue_if_alive_high": rev_high,
        "value_at_stake": margin * revenue, "value_at_stake_low": margin * rev_low,
        "value_at_stake_high": margin * rev_high,
        "expected_purchases": float(values["expected_purchases"].sum()),
        "p_alive_mean": float(values["p_alive"].mean()),
        "active_share": float((values["p_alive"] > 0.5).mean()),
        "top20_share": float(top),
    }


def value_by_group(values: pd.DataFrame, groups: pd.Series, margin: float,
                   order: list[str] | None = None) -> pd.DataFrame:
    """Per group (e.g. RFM segment): ``customers``, ``clv`` (total), ``clv_share``, ``mean_clv``, ``median_clv``,
    ``mean_value_at_stake``, ``mean_p_alive`` (means over the group's customers, so every customer counts once),
    and a last row ``All customers``. Customers without a group are counted under "No segment"."""
    group = groups.reindex(values.index).astype("object").fillna("No segment")
    frame = pd.DataFrame({"group": group.to_numpy(), "clv": values["clv"].to_numpy(),
                          "vas": margin * values["expected_revenue_if_alive"].to_numpy(),
                          "p_alive": values["p_alive"].to_numpy()})
    table = frame.groupby("group").agg(customers=("clv", "size"), clv=("clv", "sum"), mean_clv=("clv", "mean"),
                                       median_clv=("clv", "median"), mean_value_at_stake=("vas", "mean"),
                                       mean_p_alive=("p_alive", "mean"))
    known = [g for g in (order or []) if g in table.index]
    table = table.reindex(known + sorted(set(table.index) - set(known)))
    total = pd.DataFrame({"customers": len(frame), "clv": frame["clv"].sum(), "mean_clv": frame["clv"].mean(),
                          "median_clv": frame["clv"].median(), "mean_value_at_stake": frame["vas"].mean(),
                          "mean_p_alive": frame["p_alive"].mean()}, index=["All customers"])
    table = pd.concat([table, total])
    table.insert(2, "clv_share", table["clv"] / frame["clv"].sum() if frame["clv"].sum() > 0 else np.nan)
    return table.rename_axis("Segment").astype({"customers": int})


_PURCHASE_MEANINGS = {
    "r": "Shape of how purchase rates differ between customers (a Gamma distribution; small = very uneven).",
    "alpha": "Scale of the purchase rates: an average active customer buys r / alpha times a {unit}.",
    "a": "With b, how likely a customer is to leave after a purchase (a Beta distribution; mean a / (a + b)).",
    "b": "With a, how likely a customer is to leave after a purchase (a Beta distribution; mean a / (a + b)).",
    "s": "Shape of how the rates of leaving differ between customers (a Gamma distribution).",
    "beta": "Scale of the rates of leaving: an average customer leaves at a rate of s / beta a {unit}.",
}
_SPEND_MEANINGS = {
    "p": "How much one purchase's value varies around the customer's own mean (larger = steadier).",
    "q": "How much mean spend differs between customers (smaller = more uneven; the mean needs q > 1).",
    "gamma": "Scale of mean spend per purchase: a new customer's expected spend is p × gamma / (q − 1).",
}


def _fmt(value: float) -> float:
    return float(value) if np.isfinite(value) else float("nan")


def parameter_table(forecast: PurchaseForecast, gamma_gamma: GammaGammaModel) -> pd.DataFrame:
    """One row per model parameter: ``model``, ``parameter``, ``estimate``, ``standard_error`` (NaN where the
    data cannot pin it down), ``meaning``; then the log-likelihoods and the derived population means."""
    unit = _UNIT_WORDS.get(forecast.unit, forecast.unit)
    time = f"{unit} of average busyness" if forecast.seasonal else unit
    model = forecast.model
    rows = [{"model": model.label, "parameter": k, "estimate": _fmt(v),
             "standard_error": _fmt(model.standard_errors_.get(k, np.nan)),
             "meaning": _PURCHASE_MEANINGS.get(k, "").format(unit=time)} for k, v in model.params_.items()]
    rows += [{"model": "Gamma-Gamma", "parameter": k, "estimate": _fmt(v),
              "standard_error": _fmt(gamma_gamma.standard_errors_.get(k, np.nan)), "meaning": _SPEND_MEANINGS[k]}
             for k, v in gamma_gamma.params_.items()]
    p = model.params_
    rows.append({"model": model.label, "parameter": "r / alpha", "estimate": p["r"] / p["alpha"],
                 "standard_error": np.nan,
                 "meaning": f"Purchases a {time} of an average active customer."})
    g = gamma_gamma.params_
    if g["q"] > 1:
        rows.append({"model": "Gamma-Gamma", "parameter": "p × gamma / (q − 1)",
                     "estimate": g["p"] * g["gamma"] / (g["q"] - 1), "standard_error": np.nan,
                     "meaning": "Expected spend per purchase of a new customer (currency of the data)."})
    rows.append({"model": model.label, "parameter": "log-likelihood", "estimate": float(model.log_likelihood_),
                 "standard_error": np.nan, "meaning": "How well the fitted model explains the purchase histories "
                                                      "(higher is better; compares models on the same data only)."})
    return pd.DataFrame(rows, columns=["model", "parameter", "estimate", "standard_error", "meaning"])


def backtest_candidates(backtest: Backtest | None) -> pd.DataFrame:
    """The scorecard with one row per distinct forecast: a seasonal candidate whose calendar test found no
    calendar at a cutoff *is* the stationary model there (identical numbers) and is left out; ``chosen`` marks
    the model the backtest picked (its seasonal row, when it picked the seasonal one)."""
    if backtest is None or backtest.scorecard.empty:
        return pd.DataFrame()
    card = backtest.scorecard
    duplicate = card["seasonal"] & (card["calendar"].fillna("") == "")
    out = card[~duplicate].copy()
    chosen_season = bool(backtest.seasonal) if backtest.seasonal is not None else False
    out["chosen"] = (out["model"] == backtest.model) & (out["seasonal"] == chosen_season)
    out.insert(2, "model_label", [MODELS[m].label + (", seasonal" if season else "")
                                  for m, season in zip(out["model"], out["seasonal"], strict=True)])
    return out.reset_index(drop=True)


def forecast_against_truth(forecast: PurchaseForecast, values: pd.DataFrame, truth: pd.DataFrame,
                           days: int = 365, short_days: int = 90) -> tuple[pd.DataFrame, dict[str, float]]:
    """The forecast next to what the generated customers really did (``purchases_next_<N>d``, ``spend_next_365d``).

    Returns a table (``measure``, ``forecast``, ``truth``, ``error`` = forecast / truth - 1) for purchases over
    ``days`` and ``short_days``, spend over ``days`` (undiscounted: expected order value x expected purchases),
    and the share of customers with no purchase in ``short_days`` (mean P(no purchase) vs the observed share);
    and the per-customer Pearson correlations of purchases and spend with the truth.
    """
    known = truth.reindex(values.index)
    purchases = np.asarray(forecast.expected_purchases(days), dtype=float)
    short = np.asarray(forecast.expected_purchases(short_days), dtype=float)
    none = np.asarray(forecast.probability_no_purchase(short_days), dtype=float)
    spend = values["expected_order_value"].to_numpy() * purchases
    true_purchases = known[f"purchases_next_{days}d"].fillna(0).to_numpy(dtype=float)
    true_short = known[f"purchases_next_{short_days}d"].fillna(0).to_numpy(dtype=float)
    true_spend = known[f"spend_next_{days}d"].fillna(0).to_numpy(dtype=float)
    rows = [
        (f"purchases_{days}d", purchases.sum(), true_purchases.sum()),
        (f"purchases_{short_days}d", short.sum(), true_short.sum()),
        (f"spend_{days}d", spend.sum(), true_spend.sum()),
        (f"no_purchase_share_{short_days}d", none.mean(), float((true_short == 0).mean())),
    ]
    table = pd.DataFrame(rows, columns=["measure", "forecast", "truth"])
    table["error"] = table["forecast"] / table["truth"] - 1.0
    numbers = {"purchases_correlation": float(np.corrcoef(purchases, true_purchases)[0, 1]),
               "spend_correlation": float(np.corrcoef(spend, true_spend)[0, 1]),
               "days": int(days), "short_days": int(short_days)}
    return table, numbers
