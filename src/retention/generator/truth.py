"""The ground truth: what each customer really did next, with and without a retention offer, and the one
definition of a target list's true incremental profit.

Columns of the truth table (one row per identified customer)
-------------------------------------------------------------
Latent state: ``CustomerID``, ``Country``, ``first_purchase``, ``rate_per_day``, ``effective_rate_per_day``,
``dropout_probability``, ``mean_order_value``, ``alive_at_end``, ``dropout_date``.

Without a new offer (the world as simulated, including the past campaign's effects): ``purchases_next_Nd``
(orders in the N days after the end date) and ``spend_next_365d``.

A retention offer made on the end date (:mod:`retention.generator.response`): ``response_type``
(sure_thing, persuadable, lost_cause, sleeping_dog), ``purchase_probability_next_Wd`` (of buying within
the outcome window W without the offer, from the latent state), ``true_offer_uplift`` (probability points
of buying within W), and for each window N: ``purchases_next_Nd_treated``, ``revenue_next_Nd_control``,
``revenue_next_Nd_treated`` (full-price order values), plus ``first_order_value_treated`` (full-price value
of the first order within W of the offer: the order a next-order offer discounts; 0 when none).

The past campaign (:mod:`retention.generator.campaign`), empty for customers acquired after it or when
there is none: ``campaign_group``, ``campaign_response_type``, ``campaign_purchase_probability`` and
``true_uplift`` (probability points of purchasing within the outcome window after the campaign's send
date). :func:`retention.generator.response.expected_uplift` turns a purchase probability into the uplift
expected from the latent state alone (the best a model of behaviour could predict, before the type).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from retention.generator.config import GeneratorConfig
from retention.generator.process import Customers, acceptance
from retention.generator.response import OfferResponse, first_order_in_window

__all__ = ["WINDOWS", "OFFER_TYPES", "OFFER_MONTH_DAYS", "build_truth", "true_incremental_profit",
           "true_incremental_profit_by_customer"]

WINDOWS: tuple[int, ...] = (30, 60, 90, 180, 365)
"""Days after the end date over which the truth counts purchases and revenue (those within future_days)."""

OFFER_TYPES: tuple[str, ...] = ("next_order", "all_orders")
"""Offer cost models: the discount on the next order (within the outcome window), or on all orders for N months."""

OFFER_MONTH_DAYS: dict[int, int] = {1: 30, 2: 60, 3: 90, 6: 180, 12: 365}
"""Months of an all-orders offer and the truth window (days) they are read from."""


def _per_customer(frame: pd.DataFrame, n: int, start_day: int, window: int, weights: str | None = None) -> np.ndarray:
    """Count (or sum ``weights`` of) each customer's purchases on days ``start_day .. start_day + window - 1``."""
    inside = frame[(frame["day"] >= start_day) & (frame["day"] < start_day + window)]
    values = None if weights is None else inside[weights].to_numpy()
    return np.bincount(inside["customer"].to_numpy(), weights=values, minlength=n)


def _state_columns(cfg: GeneratorConfig, customers: Customers, death: np.ndarray) -> pd.DataFrame:
    start = pd.Timestamp(cfg.start_date)
    n_days = cfg.n_days
    return pd.DataFrame({
        "CustomerID": customers.ids.astype(str),
        "Country": customers.country,
        "first_purchase": start + pd.to_timedelta(customers.first_day, unit="D"),
        "rate_per_day": customers.lam,
        # The calendar thins the nominal rate; this is the rate averaged over the simulated days.
        "effective_rate_per_day": customers.lam * acceptance(cfg, n_days + cfg.future_days).mean(),
        "dropout_probability": customers.drop_p,
        "mean_order_value": cfg.latent.spend_p / customers.nu,
        "alive_at_end": death >= n_days,
        "dropout_date": pd.to_datetime(
            np.where(np.isfinite(death), start.value + (np.nan_to_num(death, posinf=0) * 86400e9), np.nan)
        ).floor("D"),
    })


def _offer_columns(cfg: GeneratorConfig, purchases: pd.DataFrame, offer: OfferResponse, n: int) -> dict:
    """Counterfactual outcomes of the offer made on the end date, and the purchases without it."""
    n_days, window = cfg.n_days, offer.window_days
    windows = [w for w in WINDOWS if w <= cfg.future_days]
    control = {f"purchases_next_{w}d": _per_customer(purchases, n, n_days, w).astype(np.int64) for w in windows}
    control["spend_next_365d"] = np.round(_per_customer(purchases, n, n_days, 365, "value"), 2)
    columns: dict = {**control, "response_type": offer.response_type,
                     f"purchase_probability_next_{window}d": offer.probability, "true_offer_uplift": offer.uplift}
    for w in windows:
        columns[f"purchases_next_{w}d_treated"] = _per_customer(offer.treated, n, n_days, w).astype(np.int64)
        columns[f"revenue_next_{w}d_control"] = np.round(_per_customer(purchases, n, n_days, w, "value"), 2)
        columns[f"revenue_next_{w}d_treated"] = np.round(_per_customer(offer.treated, n, n_days, w, "value"), 2)
    first = first_order_in_window(offer.treated, offer.send_day, window)
    columns["first_order_value_treated"] = np.round(
        np.bincount(first["customer"].to_numpy(), weights=first["value"].to_numpy(), minlength=n), 2)
    return columns


def build_truth(cfg: GeneratorConfig, customers: Customers, purchases: pd.DataFrame, death: np.ndarray,
                offer: OfferResponse, campaign: pd.DataFrame | None) -> pd.DataFrame:
    """The truth table (see the module docstring). ``offer`` is the end-date offer made to every customer
    (positions in order); ``campaign`` the past campaign's per-customer columns, if any."""
    n = len(customers)
    if not np.array_equal(offer.positions, np.arange(n)):
        raise ValueError("the end-date offer must be made to every customer, in order")
    truth = _state_columns(cfg, customers, death)
    truth = pd.concat([truth, pd.DataFrame(_offer_columns(cfg, purchases, offer, n))], axis=1)
    if campaign is None:
        campaign = pd.DataFrame({"campaign_group": pd.Series(pd.NA, index=range(n), dtype="string"),
                                 "campaign_response_type": pd.Series(pd.NA, index=range(n), dtype="string"),
                                 "campaign_purchase_probability": np.full(n, np.nan),
                                 "true_uplift": np.full(n, np.nan)})
    return pd.concat([truth, campaign.reset_index(drop=True)], axis=1)


# ---------------------------------------------------------------------------------------------------------
# Scoring a target list against the truth
# ---------------------------------------------------------------------------------------------------------


def _indexed(truth: pd.DataFrame) -> pd.DataFrame:
    if "CustomerID" in truth.columns:
        truth = truth.set_index("CustomerID")
    truth.index = truth.index.astype(str)
    return truth


def _column(truth: pd.DataFrame, name: str, why: str) -> pd.Series:
    if name not in truth.columns:
        raise ValueError(f"the truth has no column '{name}' ({why}); regenerate the data with a longer "
                         f"generator.future_days or a smaller horizon/offer length")
    return truth[name].astype(float)


def _check_offer(discount: float, margin: float, contact_cost: float, offer_type: str,
                 offer_months: int | None) -> int | None:
    if offer_type not in OFFER_TYPES:
        raise ValueError(f"offer_type must be one of {list(OFFER_TYPES)}, got {offer_type!r}")
    if not 0.0 <= discount <= 1.0 or not 0.0 <= margin <= 1.0:
        raise ValueError(f"discount and margin must be shares between 0 and 1, got {discount} and {margin}")
    if contact_cost < 0:
        raise ValueError(f"contact_cost must not be negative, got {contact_cost}")
    if offer_type == "next_order":
        return None
    if offer_months not in OFFER_MONTH_DAYS:
        raise ValueError(f"an all_orders offer needs offer_months in {sorted(OFFER_MONTH_DAYS)}, "
                         f"got {offer_months!r}")
    return OFFER_MONTH_DAYS[offer_months]


def _select(truth: pd.DataFrame, customer_ids: Iterable[object] | None) -> pd.DataFrame:
    if customer_ids is None:
        return truth
    ids = pd.Index([str(c) for c in customer_ids])
    if ids.has_duplicates:
        raise ValueError(f"the target list names {int(ids.duplicated().sum())} customers twice, "
                         f"e.g. {list(ids[ids.duplicated()][:3])}")
    unknown = ids.difference(truth.index)
    if len(unknown):
        raise ValueError(f"{len(unknown)} target customers are not in the truth, e.g. {list(unknown[:3])}")
    return truth.loc[ids]


def true_incremental_profit_by_customer(truth: pd.DataFrame, customer_ids: Iterable[object] | None = None, *,
                                        discount: float, margin: float, contact_cost: float,
                                        offer_type: str = "next_order", offer_months: int | None = None,
                                        horizon_days: int = 365) -> pd.Series:
    """Each customer's true incremental profit from a retention offer made on the end date.

    ``profit = margin * (revenue_treated - revenue_control) - discount * discounted revenue - contact_cost``
    over ``horizon_days`` (a truth window), where revenues are full-price order values of the simulated
    futures with and without the offer, and the discounted revenue is ``first_order_value_treated`` for a
    next-order offer (valid for the outcome window) or ``revenue_next_Nd_treated`` over the offer's months
    for an all-orders offer. The margin is a share of full-price revenue and the discount is taken off at
    face value, as in :mod:`retention.roi`.

    Parameters
    ----------
    truth : pandas.DataFrame
        The generator's truth (a ``CustomerID`` column or index).
    customer_ids : iterable, optional
        The target list (no duplicates; every id must be in the truth). None: every customer.
    discount, margin : float
        Shares between 0 and 1.
    contact_cost : float
        Cost of contacting one customer (currency units).
    offer_type : {"next_order", "all_orders"}
    offer_months : int, optional
        Length of an all-orders offer: 1, 2, 3, 6 or 12 months (30, 60, 90, 180, 365 days).
    horizon_days : int, default 365
        Decision horizon; one of the truth windows (30, 60, 90, 180, 365) within ``future_days``.

    Returns
    -------
    pandas.Series
        Profit per customer (currency units), indexed by CustomerID in the order of ``customer_ids``.
    """
    offer_days = _check_offer(discount, margin, contact_cost, offer_type, offer_months)
    table = _select(_indexed(truth), customer_ids)
    why = f"horizon_days={horizon_days}"
    gain = (_column(table, f"revenue_next_{horizon_days}d_treated", why)
            - _column(table, f"revenue_next_{horizon_days}d_control", why))
    if offer_days is None:
        discounted = _column(table, "first_order_value_treated", "next-order offer")
    else:
        discounted = _column(table, f"revenue_next_{offer_days}d_treated", f"offer_months={offer_months}")
    profit = margin * gain - discount * discounted - contact_cost
    return profit.rename("true_incremental_profit")


def true_incremental_profit(truth: pd.DataFrame, customer_ids: Iterable[object], *, discount: float, margin: float,
                            contact_cost: float, offer_type: str = "next_order", offer_months: int | None = None,
                            horizon_days: int = 365) -> float:
    """The true incremental profit of offering ``customer_ids`` an offer on the end date (sum over the list).

    The single definition used to check any target list against the truth; see
    :func:`true_incremental_profit_by_customer` for the formula and the parameters. Fixed campaign costs are
    not included (add them once per campaign).
    """
    return float(true_incremental_profit_by_customer(
        truth, customer_ids, discount=discount, margin=margin, contact_cost=contact_cost, offer_type=offer_type,
        offer_months=offer_months, horizon_days=horizon_days).sum())
