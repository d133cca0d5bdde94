"""Decide with measured effects: the measured uplift for the ROI, and a list ranked by predicted profit.

* :func:`measured_uplift` reads the overall purchase-rate effect of :func:`~retention.experiments.effects.
  measure_effects` into a :class:`MeasuredUplift` (estimate, interval, standard error) whose
  :meth:`~MeasuredUplift.draws` feed the ROI Monte Carlo instead of an assumed uplift.
* :func:`rank_by_incremental_profit` ranks customers by ``predicted uplift x value at stake - offer
  cost``; customers with a negative predicted uplift (sleeping dogs: the offer makes them less likely to
  buy) are excluded and counted, never targeted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["MeasuredUplift", "measured_uplift", "expected_offer_cost", "predicted_incremental_profit", "RankedTargets",
           "rank_by_incremental_profit"]


@dataclass(frozen=True)
class MeasuredUplift:
    """A measured uplift in the purchase rate (probability points) with its two-sided interval."""

    estimate: float
    ci_low: float
    ci_high: float
    alpha: float
    n_treatment: int
    n_control: int

    @property
    def std_error(self) -> float:
        """Standard error implied by the interval (its half-width over the normal quantile)."""
        return (self.ci_high - self.ci_low) / (2.0 * norm.ppf(1.0 - self.alpha / 2.0))

    def draws(self, n_draws: int, seed: int = 42) -> np.ndarray:
        """Normal draws around the estimate with :attr:`std_error` (for a Monte Carlo of the ROI)."""
        rng = np.random.default_rng(seed)
        return rng.normal(self.estimate, self.std_error, size=int(n_draws))

    def sentence(self) -> str:
        """The measurement in one plain sentence."""
        level = f"{1 - self.alpha:.0%}"
        return (f"The offer raised the purchase rate by {self.estimate * 100:.1f} points ({level} interval "
                f"{self.ci_low * 100:.1f} to {self.ci_high * 100:.1f}; {self.n_treatment:,} treated, "
                f"{self.n_control:,} control).")


def measured_uplift(effects: pd.DataFrame, *, alpha: float = 0.05) -> MeasuredUplift:
    """The overall purchase-rate uplift of a :func:`measure_effects` table (measured at ``alpha``)."""
    rows = effects[(effects["by"] == "all") & (effects["outcome"] == "purchased")]
    if len(rows) != 1:
        raise ValueError("effects need exactly one overall 'purchased' row (from measure_effects)")
    row = rows.iloc[0]
    return MeasuredUplift(estimate=float(row["uplift"]), ci_low=float(row["ci_low"]), ci_high=float(row["ci_high"]),
                          alpha=float(alpha), n_treatment=int(row["n_treatment"]), n_control=int(row["n_control"]))


def expected_offer_cost(purchase_probability_treated: pd.Series | np.ndarray, order_value: pd.Series | np.ndarray,
                        *, discount: float, contact_cost: float) -> np.ndarray:
    """Expected cost of offering a next-order discount: the contact plus the discount on the order a
    treated customer places with that probability."""
    p = np.clip(np.asarray(purchase_probability_treated, dtype=float), 0.0, 1.0)
    return contact_cost + discount * p * np.asarray(order_value, dtype=float)


def predicted_incremental_profit(predicted_uplift: pd.Series, purchase_probability: pd.Series,
                                 order_value: pd.Series, *, margin: float, discount: float,
                                 contact_cost: float) -> pd.Series:
    """Each customer's predicted incremental profit from a next-order offer over the outcome window.

    ``uplift x margin x order value`` (the margin of the extra purchases the offer causes) minus
    :func:`expected_offer_cost` with the purchase probability with the offer ``p0 + uplift`` (every buyer
    with the offer redeems it, including those who would have bought anyway). All per customer, index
    CustomerID; ``purchase_probability`` is ``p0``, without the offer.
    """
    uplift = predicted_uplift.astype(float)
    p0 = purchase_probability.reindex(uplift.index).astype(float)
    value = order_value.reindex(uplift.index).astype(float)
    cost = expected_offer_cost(p0 + uplift, value, discount=discount, contact_cost=contact_cost)
    return (uplift * margin * value - cost).rename("predicted_incremental_profit")


@dataclass(frozen=True)
class RankedTargets:
    """Customers ranked by predicted incremental profit, sleeping dogs left out.

    ``table`` (index CustomerID, best first): ``predicted_uplift``, ``value_at_stake``, ``offer_cost``,
    ``predicted_incremental_profit``, ``rank`` (1 = best) and ``cumulative_profit``.
    """

    table: pd.DataFrame
    sleeping_dogs: int

    @property
    def profitable(self) -> pd.DataFrame:
        """The customers whose predicted incremental profit is positive (the profit-maximising list)."""
        return self.table[self.table["predicted_incremental_profit"] > 0]

    def top(self, n: int) -> pd.DataFrame:
        return self.table.head(int(n))


def rank_by_incremental_profit(predicted_uplift: pd.Series, value_at_stake: pd.Series,
                               offer_cost: pd.Series | float) -> RankedTargets:
    """Rank customers by ``predicted_uplift * value_at_stake - offer_cost``, excluding sleeping dogs.

    Parameters
    ----------
    predicted_uplift : pandas.Series
        Per customer (index CustomerID), in probability points of purchasing within the outcome window.
    value_at_stake : pandas.Series
        What a customer's purchase is worth (currency), same index.
    offer_cost : pandas.Series or float
        Cost of making the offer to each customer (see :func:`expected_offer_cost`).
    """
    uplift = predicted_uplift.astype(float)
    value = value_at_stake.reindex(uplift.index).astype(float)
    if value.isna().any() or uplift.isna().any():
        missing = uplift.index[value.isna() | uplift.isna()]
        raise ValueError(f"{len(missing)} customers have no predicted uplift or value at stake, "
                         f"e.g. {list(missing[:3])}")
    cost = (offer_cost.reindex(uplift.index).astype(float) if isinstance(offer_cost, pd.Series)
            else pd.Series(float(offer_cost), index=uplift.index))
    dogs = uplift < 0
    table = pd.DataFrame({"predicted_uplift": uplift, "value_at_stake": value, "offer_cost": cost})[~dogs]
    table["predicted_incremental_profit"] = table["predicted_uplift"] * table["value_at_stake"] - table["offer_cost"]
    table = table.sort_values("predicted_incremental_profit", ascending=False, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table["cumulative_profit"] = table["predicted_incremental_profit"].cumsum()
    return RankedTargets(table=table, sleeping_dogs=int(dogs.sum()))
