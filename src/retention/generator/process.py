"""The latent buy-till-you-die process and its calendar.

Customer behaviour follows the BG/NBD story (Fader, Hardie & Lee 2005, "Counting Your Customers the
Easy Way"): each customer buys at an individual Poisson rate ``lambda ~ Gamma(r, alpha)`` and, after
each repeat purchase, drops out for good with an individual probability ``p ~ Beta(a, b)``. Order
values follow the Gamma-Gamma spend model (Fader & Hardie 2013): ``z ~ Gamma(p_s, nu)`` with
``nu ~ Gamma(q, gamma)``. The calendar thins the candidate purchase times (a November peak, quiet
Saturdays), so the purchases are a Poisson process with rate ``lambda * acceptance(day)``.

Time is continuous, in days from the start date (day ``d`` covers ``[d, d + 1)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.generator.config import GeneratorConfig

__all__ = ["MONTH_WEIGHT", "WEEKDAY_WEIGHT", "COUNTRIES", "Customers", "day_weights", "acceptance",
           "draw_customers", "repeat_purchases", "order_values", "baseline_purchases", "window_intensity",
           "purchase_probability"]

# Relative purchase intensity by calendar month (1 = January) and weekday (0 = Monday).
MONTH_WEIGHT = np.array([0.75, 0.7, 0.85, 0.8, 0.9, 0.9, 0.9, 0.9, 1.15, 1.35, 1.7, 1.0])
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.05, 1.2, 0.8, 0.02, 0.65])

# Share of customers per country, shaped like the UCI file (UK-dominant, European wholesalers).
COUNTRIES = {
    "United Kingdom": 0.885, "Germany": 0.022, "France": 0.020, "EIRE": 0.008, "Spain": 0.007,
    "Belgium": 0.006, "Switzerland": 0.005, "Portugal": 0.005, "Netherlands": 0.004, "Italy": 0.004,
    "Norway": 0.003, "Australia": 0.003, "Finland": 0.003, "Sweden": 0.003, "Austria": 0.003,
    "Denmark": 0.003, "Japan": 0.002, "Poland": 0.002, "Cyprus": 0.002, "Channel Islands": 0.002,
    "USA": 0.002, "Israel": 0.001, "Canada": 0.001, "Greece": 0.001, "Singapore": 0.001,
    "Iceland": 0.001, "Lithuania": 0.001,
}


@dataclass(frozen=True)
class Customers:
    """The identified customers' latent traits, one array entry per customer (index = position)."""

    ids: np.ndarray          # CustomerID numbers
    country: np.ndarray
    first_day: np.ndarray    # day of the first purchase (acquisition)
    lam: np.ndarray          # purchase rate per day before the calendar's thinning
    drop_p: np.ndarray       # dropout probability after each repeat purchase
    nu: np.ndarray           # Gamma-Gamma spend rate (mean order value = spend_p / nu)

    def __len__(self) -> int:
        return len(self.ids)


def day_weights(days: pd.DatetimeIndex, seasonal: bool = True) -> np.ndarray:
    """Relative purchase intensity of each calendar day (all 1 when not seasonal)."""
    if not seasonal:
        return np.ones(len(days))
    return MONTH_WEIGHT[days.month - 1] * WEEKDAY_WEIGHT[days.day_of_week]


def acceptance(cfg: GeneratorConfig, horizon: int) -> np.ndarray:
    """Share of candidate purchase times kept on each day ``0..horizon``: the intensity over its maximum."""
    calendar = pd.date_range(cfg.start_date, periods=horizon + 1, freq="D")
    weights = day_weights(calendar, cfg.seasonal)
    return weights / weights.max()


def draw_customers(rng: np.random.Generator, cfg: GeneratorConfig) -> Customers:
    """Acquisition day, latent rates, spend and country of every customer.

    A third of the base is already a customer and shows up in the first weeks.
    """
    lp = cfg.latent
    n_days, n = cfg.n_days, cfg.n_customers
    days = pd.date_range(pd.Timestamp(cfg.start_date), periods=n_days, freq="D")
    existing_base = np.where(np.arange(n_days) < 45, 6.0, 1.0)
    birth_w = day_weights(days, cfg.seasonal) * existing_base * np.linspace(1.0, 1.3, n_days)
    first_day = np.sort(rng.choice(n_days, size=n, p=birth_w / birth_w.sum()))
    lam = rng.gamma(lp.r, 1.0 / lp.alpha, size=n)
    drop_p = rng.beta(lp.a, lp.b, size=n)
    nu = rng.gamma(lp.spend_q, 1.0 / lp.spend_gamma, size=n)
    ids = (12346 + rng.permutation(np.arange(max(n, 6000)))[:n]).astype(np.int64)
    countries = np.array(list(COUNTRIES))
    country = rng.choice(countries, size=n, p=np.array(list(COUNTRIES.values())) / sum(COUNTRIES.values()))
    return Customers(ids=ids, country=country, first_day=first_day, lam=lam, drop_p=drop_p, nu=nu)


def repeat_purchases(rng: np.random.Generator, accept: np.ndarray, start: np.ndarray, lam: np.ndarray,
                     drop_p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate purchases after ``start`` (thinned Poisson, dropout after each) until the calendar ends.

    Every customer is alive at ``start`` (continuous time in days). Returns the customer position and the
    day of every purchase, and each customer's dropout time (inf when still alive at the horizon
    ``len(accept) - 1``).
    """
    horizon = len(accept) - 1
    n = len(lam)
    t = start.astype(float)
    alive = np.ones(n, dtype=bool)
    death = np.full(n, np.inf)
    who, when = [np.empty(0, dtype=np.intp)], [np.empty(0, dtype=np.int64)]
    active = np.arange(n)
    while active.size:
        t[active] += rng.exponential(1.0 / lam[active])
        active = active[t[active] < horizon]
        day = np.floor(t[active]).astype(int)
        bought = rng.random(active.size) < accept[day]
        buyers = active[bought]
        who.append(buyers)
        when.append(np.floor(t[buyers]).astype(int))
        dies = rng.random(buyers.size) < drop_p[buyers]
        death[buyers[dies]] = t[buyers[dies]]
        alive[buyers[dies]] = False
        active = active[alive[active]]
    return np.concatenate(who), np.concatenate(when), death


def order_values(rng: np.random.Generator, cfg: GeneratorConfig, nu: np.ndarray) -> np.ndarray:
    """Full-price order values for orders of customers with spend rates ``nu`` (Gamma-Gamma)."""
    return rng.gamma(cfg.latent.spend_p, 1.0 / nu)


def baseline_purchases(rng: np.random.Generator, cfg: GeneratorConfig,
                       customers: Customers) -> tuple[pd.DataFrame, np.ndarray]:
    """Every purchase of the process without any offer, from acquisition to ``n_days + future_days``.

    Returns the purchases (``customer`` position, ``day``, full-price ``value``; at most one per customer
    and day, sorted by day then customer) and each customer's dropout time.
    """
    horizon = cfg.n_days + cfg.future_days
    accept = acceptance(cfg, horizon)
    who, when, death = repeat_purchases(rng, accept, customers.first_day + 0.5, customers.lam, customers.drop_p)
    n = len(customers)
    purchases = pd.DataFrame({"customer": np.concatenate([np.arange(n), who]),
                              "day": np.concatenate([customers.first_day, when])})
    purchases = purchases.sort_values(["day", "customer"], kind="stable").drop_duplicates().reset_index(drop=True)
    purchases["value"] = order_values(rng, cfg, customers.nu[purchases["customer"].to_numpy()])
    return purchases, death


def window_intensity(accept: np.ndarray, send_day: int, window_days: int) -> float:
    """Expected candidate purchases kept per unit of rate in the window: the acceptance summed over the
    ``window_days`` days after ``send_day`` (days ``send_day + 1 .. send_day + window_days``)."""
    return float(accept[send_day + 1: send_day + 1 + window_days].sum())


def purchase_probability(lam: np.ndarray, alive: np.ndarray, accept: np.ndarray, send_day: int,
                         window_days: int) -> np.ndarray:
    """Probability of at least one purchase in the window after ``send_day``, given the latent state.

    A customer alive at the start of the window buys there unless the thinned Poisson process has no
    event in it: ``1 - exp(-lambda * sum of acceptance over the window)`` (dropout happens only after a
    purchase, so it cannot prevent the first one). A customer who has left never buys.
    """
    intensity = window_intensity(accept, send_day, window_days)
    return np.where(alive, 1.0 - np.exp(-lam * intensity), 0.0)
