"""What a campaign gives (:class:`Offer`, with its explicit cost model) and what we assume customers do.

Offer cost models (``Offer.offer_type``)
----------------------------------------
``"next_order"`` (default)
    The discount is taken off the customer's next order only. A redeemer costs ``discount x B`` with
    ``B = expected_order_value`` (the Gamma-Gamma expected value of one order).
``"all_orders"``
    The discount is taken off every order for ``offer_months`` months. A redeemer costs ``discount x B``
    with ``B`` = expected revenue over those months if the customer stays (column
    ``expected_revenue_if_alive_<N>m`` of the decision frame, see :func:`retention.roi.columns.offer_window_column`).

The discount is a revenue reduction: it lowers what the customer pays one-for-one while the cost of the goods
is unchanged, so it is a cost at face value, not times the margin. Contact cost is paid for every targeted
customer; the fixed cost once per campaign that targets anyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from retention.roi._checks import amount, share, unknown_message, whole
from retention.roi.columns import ORDER_VALUE, offer_window_column

__all__ = [
    "OFFER_TYPES", "OFFER_FIELDS", "OFFER_MODEL_FIELDS", "ASSUMPTION_FIELDS", "PARAMETERS", "Offer", "Assumptions",
    "override", "parameter_values", "check_parameter",
]

OFFER_TYPES: tuple[str, ...] = ("next_order", "all_orders")
"""The offer cost models: discount on the next order, or on all orders for ``offer_months`` months."""

OFFER_FIELDS: tuple[str, ...] = ("discount", "contact_cost", "fixed_cost")
"""The numeric fields of :class:`Offer`, also offer keys of a campaign dict."""

OFFER_MODEL_FIELDS: tuple[str, ...] = ("offer_type", "offer_months")
"""The cost-model fields of :class:`Offer`, also keys of a campaign dict."""

ASSUMPTION_FIELDS: tuple[str, ...] = ("uplift", "redemption_rate", "margin", "saved_redemption", "horizon_days")
"""Fields of :class:`Assumptions`, also the assumption keys of a campaign dict."""

PARAMETERS: tuple[str, ...] = OFFER_FIELDS + ASSUMPTION_FIELDS[:4]
"""The numbers that drive the economics: what scenarios, tornado ranges and Monte Carlo ranges may vary."""

AMOUNTS: tuple[str, ...] = ("contact_cost", "fixed_cost")


def check_parameter(name: str, value: Any) -> float:
    """Validate one value of a :data:`PARAMETERS` entry."""
    return amount(value, name) if name in AMOUNTS else share(value, name)


@dataclass(frozen=True)
class Offer:
    """What the campaign gives, what it costs to run, and how the discount is charged.

    Parameters
    ----------
    discount : float
        Fraction of the order value given away, 0..1.
    contact_cost : float, default 0
        Cost per targeted customer (email, print, call), currency.
    fixed_cost : float, default 0
        Campaign set-up cost, currency; charged once when at least one customer is targeted.
    offer_type : {"next_order", "all_orders"}, default "next_order"
        The cost model (module docstring).
    offer_months : int, optional
        Months the discount runs for; required for ``"all_orders"``; ignored (stored as None) for
        ``"next_order"``, so one params section can carry both.
    """

    discount: float
    contact_cost: float = 0.0
    fixed_cost: float = 0.0
    offer_type: str = "next_order"
    offer_months: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "discount", share(self.discount, "discount"))
        for name in AMOUNTS:
            object.__setattr__(self, name, amount(getattr(self, name), name))
        if self.offer_type not in OFFER_TYPES:
            raise ValueError("offer_type: " + unknown_message("offer type", [self.offer_type], OFFER_TYPES))
        if self.offer_type == "all_orders":
            if self.offer_months is None:
                raise ValueError("offer_type 'all_orders' needs offer_months (how long the discount runs).")
            object.__setattr__(self, "offer_months", whole(self.offer_months, "offer_months", 1))
        else:  # a next-order discount has no duration: params may still carry offer_months for all_orders
            object.__setattr__(self, "offer_months", None)

    @property
    def cost_base_column(self) -> str:
        """The decision-frame column a redeemer's discount is a fraction of."""
        return ORDER_VALUE if self.offer_type == "next_order" else offer_window_column(self.offer_months)

    def cost_model(self) -> str:
        """The cost model in words, e.g. ``"15% off the next order; contact 0.50 each; fixed 250"``."""
        what = (f"{self.discount:.0%} off the next order" if self.offer_type == "next_order"
                else f"{self.discount:.0%} off all orders for {self.offer_months} months")
        return f"{what}; contact {self.contact_cost:,.2f} per customer; fixed {self.fixed_cost:,.2f} per campaign"


@dataclass(frozen=True)
class Assumptions:
    """What we believe about customers' response; none of it is measured until a holdout test is run.

    Parameters
    ----------
    uplift : float
        Share of would-be churners the offer saves, 0..1.
    redemption_rate : float
        Share of customers who would have stayed anyway that redeem the offer, 0..1 (the wasted budget).
    margin : float
        Gross margin share of full-price revenue, 0..1.
    saved_redemption : float, default 1
        Share of saved customers who redeem, 0..1 (they come back because of the offer).
    horizon_days : int, default 90
        Horizon of ``churn_probability``; for labels only.
    """

    uplift: float
    redemption_rate: float
    margin: float
    saved_redemption: float = 1.0
    horizon_days: int = 90

    def __post_init__(self) -> None:
        for name in ASSUMPTION_FIELDS[:4]:
            object.__setattr__(self, name, share(getattr(self, name), name))
        object.__setattr__(self, "horizon_days", whole(self.horizon_days, "horizon_days", 1))


def override(offer: Offer, assumptions: Assumptions, changes: dict[str, Any]) -> tuple[Offer, Assumptions]:
    """A copy of ``offer`` and ``assumptions`` with some fields changed, by flat name.

    Parameters
    ----------
    offer : Offer
    assumptions : Assumptions
    changes : mapping
        ``{field: value}`` with fields of :class:`Offer` or :class:`Assumptions`.

    Returns
    -------
    (Offer, Assumptions)
        Validated copies.
    """
    offer_keys = OFFER_FIELDS + OFFER_MODEL_FIELDS
    unknown = [k for k in changes if k not in offer_keys + ASSUMPTION_FIELDS]
    if unknown:
        raise ValueError(unknown_message("parameter(s)", unknown, offer_keys + ASSUMPTION_FIELDS))
    offer_changes = {k: v for k, v in changes.items() if k in offer_keys}
    assumption_changes = {k: v for k, v in changes.items() if k in ASSUMPTION_FIELDS}
    return replace(offer, **offer_changes), replace(assumptions, **assumption_changes)


def parameter_values(offer: Offer, assumptions: Assumptions) -> dict[str, Any]:
    """Offer and assumptions as one flat dict of parameters (numbers and the cost model)."""
    if not isinstance(offer, Offer):
        raise TypeError(f"offer must be an Offer, got {type(offer).__name__}.")
    if not isinstance(assumptions, Assumptions):
        raise TypeError(f"assumptions must be Assumptions, got {type(assumptions).__name__}.")
    return {**asdict(offer), **asdict(assumptions)}
