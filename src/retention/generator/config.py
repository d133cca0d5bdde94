"""What the generator simulates: the latent purchase process, the customers' response to offers, the run.

Everything here is a frozen dataclass with defaults; :class:`GeneratorConfig` is the ``generator`` section
of the params (``retention.pipeline.generator_config`` maps one to the other).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["LatentProcess", "ResponseModel", "GeneratorConfig"]


@dataclass(frozen=True)
class LatentProcess:
    """The latent buy-till-you-die and spend parameters (time unit: days; money: currency units)."""

    r: float = 0.9          # shape of the purchase-rate distribution
    alpha: float = 20.0     # scale of the purchase-rate distribution, in days (mean rate r / alpha)
    a: float = 1.2          # Beta(a, b) dropout probability after each repeat purchase
    b: float = 7.0
    spend_p: float = 4.0    # Gamma-Gamma: shape of order value around a customer's mean
    spend_q: float = 3.2    # shape of the customers' spend-rate distribution
    spend_gamma: float = 220.0  # scale of the spend-rate distribution
    mean_extra_lines: float = 10.2  # lines per order = 1 + NegBin with this mean
    guest_mean_lines: float = 22.0


@dataclass(frozen=True)
class ResponseModel:
    """How customers respond to a retention offer (see :mod:`retention.generator.response`).

    Attributes
    ----------
    outcome_days : int
        The window, in days after the send date, of the purchase uplift; also how long a next-order
        offer stays valid (only the first order in this window is discounted).
    discount : float
        Discount of the past campaign's offer on the first order (0..1).
    persuadable_base, persuadable_peak : float
        Share of persuadables among customers still alive at the offer: ``base + peak * 4 q (1 - q)``, where
        ``q`` is the customer's probability of buying within ``outcome_days`` without the offer. The share
        peaks for customers who could go either way (``q`` near 0.5).
    winback_share : float
        Share of persuadables among customers who had already left (the offer wins them back).
    sleeping_dog_base, sleeping_dog_slope : float
        Share of sleeping dogs among customers still alive: ``base + slope * q`` (frequent buyers are the
        likeliest to be annoyed by a contact).
    induced_mean_days, induced_max_days : float, int
        A persuaded customer's extra order follows the offer after ``k = 1 .. induced_max_days`` days (at most
        ``outcome_days``), with weights ``exp(-(k - 1) / induced_mean_days)`` times the calendar's intensity.
    """

    outcome_days: int = 60
    discount: float = 0.15
    persuadable_base: float = 0.03
    persuadable_peak: float = 0.35
    winback_share: float = 0.04
    sleeping_dog_base: float = 0.02
    sleeping_dog_slope: float = 0.05
    induced_mean_days: float = 7.0
    induced_max_days: int = 30

    def __post_init__(self) -> None:
        shares = {"discount": self.discount, "persuadable_base": self.persuadable_base,
                  "winback_share": self.winback_share, "sleeping_dog_base": self.sleeping_dog_base}
        for name, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"ResponseModel.{name} must be between 0 and 1, got {value}")
        top = self.persuadable_base + self.persuadable_peak + self.sleeping_dog_base + self.sleeping_dog_slope
        if min(self.persuadable_peak, self.sleeping_dog_slope) < 0 or top > 1.0:
            raise ValueError("ResponseModel: persuadable and sleeping-dog shares must be >= 0 and add up to "
                             f"at most 1 at their peak (base + peak + base + slope = {top:g})")
        if not 1 <= self.induced_max_days <= self.outcome_days:
            raise ValueError(f"ResponseModel.induced_max_days must be between 1 and outcome_days "
                             f"({self.outcome_days}), got {self.induced_max_days}")
        if self.induced_mean_days <= 0:
            raise ValueError(f"ResponseModel.induced_mean_days must be positive, got {self.induced_mean_days}")


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate: the ``generator`` section of the params.

    ``campaign`` adds a past randomized campaign ``campaign_days_before_end`` days before the last day of the
    log: a random ``campaign_share`` of the customers acquired before then is split into treatment and
    control, and the treated respond (:mod:`retention.generator.campaign`).
    """

    seed: int = 42
    n_customers: int = 4300
    start_date: dt.date = dt.date(2010, 12, 1)
    months: int = 12
    guest_line_share: float = 0.25
    future_days: int = 365
    seasonal: bool = True   # False: flat calendar (a stationary process, for model checks)
    campaign: bool = True
    campaign_days_before_end: int = 120
    campaign_share: float = 0.3
    latent: LatentProcess = field(default_factory=LatentProcess)
    response: ResponseModel = field(default_factory=ResponseModel)

    def __post_init__(self) -> None:
        if not 0.0 < self.campaign_share <= 1.0:
            raise ValueError(f"campaign_share must be in (0, 1], got {self.campaign_share}")
        if self.campaign:
            self._check_campaign_fits()

    def _check_campaign_fits(self) -> None:
        days = self.n_days
        before_end = self.campaign_days_before_end
        if isinstance(before_end, bool) or int(before_end) != before_end or not 1 <= before_end <= days - 31:
            raise ValueError(f"generator.campaign_days_before_end={before_end!r} does not fit a log of {days} days: "
                             f"the campaign needs at least 30 days of history before it. Fix: use a whole number "
                             f"between 1 and {max(days - 31, 1)}, or set generator.campaign: false.")

    @property
    def end_date(self) -> dt.date:
        """Last day of the log (inclusive)."""
        end = pd.Timestamp(self.start_date) + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)
        return end.date()

    @property
    def n_days(self) -> int:
        """Days in the log, first and last included."""
        return (pd.Timestamp(self.end_date) - pd.Timestamp(self.start_date)).days + 1

    @property
    def campaign_day(self) -> int:
        """Day index (0 = start date) the past campaign was sent."""
        return self.n_days - 1 - int(self.campaign_days_before_end)
