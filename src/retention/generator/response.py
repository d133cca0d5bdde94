"""How customers respond to a retention offer: four response types and the future with and without the offer.

The model (simulation assumptions)
----------------------------------
An offer is sent on a *send day* ``s``; its *outcome window* is the ``W = ResponseModel.outcome_days``
days after it (days ``s + 1 .. s + W``). Without the offer the customer follows the latent BG/NBD
process (:mod:`retention.generator.process`); let ``q`` be their probability of buying in the window
without the offer, computed from the latent state: ``q = 1 - exp(-lambda * sum of the calendar's
acceptance over the window)`` when they are still alive at ``s + 1``, else 0.

Each customer has one *responsiveness* ``u ~ Uniform(0, 1)``, drawn once, and reacts to an offer by
where ``u`` falls among shares that depend on their state at the send day:

* **persuadable** with probability ``persuadable_base + persuadable_peak * 4 q (1 - q)`` if alive (the
  offer moves the customers who could go either way), ``winback_share`` if they had left. Treated,
  they place one extra order ``k`` days after the offer, ``k = 1 .. induced_max_days`` (within the window)
  with probability proportional to ``exp(-(k - 1) / induced_mean_days)`` times the calendar's intensity,
  at a value drawn from their own spend distribution, and
  otherwise keep their path; a customer who had left is won back: after that order their buy-till-
  you-die process starts again (same rate and dropout probability). Uplift ``1 - q``.
* **sleeping dog** with probability ``sleeping_dog_base + sleeping_dog_slope * q`` if alive (never if
  they had left). Treated, the contact makes them leave on the send day: no purchase after it.
  Uplift ``-q``.
* otherwise the offer changes nothing: a **sure thing** if they do buy in the window (their realised
  path without the offer), a **lost cause** if they do not. Uplift 0.

So the types match the potential-outcome quadrants of the purchase in the window (sure things buy
either way, lost causes neither way, persuadables buy only if treated, sleeping dogs only if not),
except that a persuadable who would have bought anyway still adds an order.

Further assumptions:

* The response does not depend on the depth of the discount (nor on the contact channel): any offer
  of this kind triggers the same reaction, so the truth cannot say which discount is best.
* A treated customer who orders while the offer is valid uses it: a next-order offer is valid for the
  ``W`` days of the window and discounts the first order in it; an offer on all orders for N months
  discounts every order in those months (:mod:`retention.generator.truth`).
* The discount changes what the customer pays, not what they buy: order values are at full price.
* Treated and untreated futures share their random numbers (common random numbers): they differ only
  by what the reaction changes, so a customer's difference is the effect of the offer, not noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.generator.config import GeneratorConfig
from retention.generator.process import Customers, acceptance, order_values, purchase_probability, repeat_purchases

__all__ = ["RESPONSE_TYPES", "OfferResponse", "reaction_shares", "expected_uplift", "respond",
           "first_order_in_window"]

RESPONSE_TYPES: tuple[str, ...] = ("sure_thing", "persuadable", "lost_cause", "sleeping_dog")
"""The four response types, named as in the uplift literature."""


@dataclass(frozen=True)
class OfferResponse:
    """The offered customers' reactions and their future if treated (arrays follow ``positions``).

    ``treated`` holds every purchase after the send day in the treated world (``customer`` position,
    ``day``, full-price ``value``, ``induced`` for the orders the offer caused); ``death`` is each offered
    customer's dropout time in that world (inf when alive at the horizon).
    """

    send_day: int
    window_days: int
    positions: np.ndarray
    probability: np.ndarray
    response_type: np.ndarray
    uplift: np.ndarray
    treated: pd.DataFrame
    death: np.ndarray


def reaction_shares(q: np.ndarray, alive: np.ndarray, cfg: GeneratorConfig) -> tuple[np.ndarray, np.ndarray]:
    """Probability of being a persuadable and a sleeping dog, given ``q`` and whether still alive."""
    model = cfg.response
    persuadable = np.where(alive, model.persuadable_base + model.persuadable_peak * 4.0 * q * (1.0 - q),
                           model.winback_share)
    sleeping = np.where(alive, model.sleeping_dog_base + model.sleeping_dog_slope * q, 0.0)
    return persuadable, sleeping


def expected_uplift(q: np.ndarray, cfg: GeneratorConfig) -> np.ndarray:
    """The uplift expected from a customer's latent state alone, before their type is drawn: the best any
    model of the customer's behaviour could predict. ``q > 0`` exactly when the customer is alive."""
    q = np.asarray(q, dtype=float)
    persuadable, sleeping = reaction_shares(q, q > 0, cfg)
    return persuadable * (1.0 - q) - sleeping * q


def _buys_in_window(after: pd.DataFrame, positions: np.ndarray, send_day: int, window: int) -> np.ndarray:
    """Whether each offered customer buys in the window on their path without the offer."""
    in_window = after.loc[after["day"] <= send_day + window, "customer"].to_numpy()
    return np.isin(positions, in_window)


def _types(u: np.ndarray, q: np.ndarray, alive: np.ndarray, buys: np.ndarray,
           cfg: GeneratorConfig) -> np.ndarray:
    persuadable, sleeping = reaction_shares(q, alive, cfg)
    return np.select([u < persuadable, u < persuadable + sleeping, buys],
                     ["persuadable", "sleeping_dog", "sure_thing"], "lost_cause")


def _induced_orders(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers, who: np.ndarray,
                    send_day: int, accept: np.ndarray) -> pd.DataFrame:
    """One extra order per persuaded customer, ``k = 1 .. induced_max_days`` days after the offer with
    probability proportional to ``exp(-(k - 1) / induced_mean_days)`` times the calendar's acceptance."""
    model = cfg.response
    delays = np.arange(1, model.induced_max_days + 1)
    calendar = accept[np.minimum(send_day + delays, len(accept) - 1)]
    weights = np.exp(-(delays - 1) / model.induced_mean_days) * calendar
    delay = rng.choice(delays, size=who.size, p=weights / weights.sum())
    return pd.DataFrame({"customer": who, "day": send_day + delay.astype(np.int64),
                         "value": order_values(rng, cfg, customers.nu[who]), "induced": True})


def _won_back(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers, induced: pd.DataFrame,
              accept: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The restarted process of customers won back by their induced order, and their new dropout times."""
    who = induced["customer"].to_numpy()
    start = induced["day"].to_numpy() + 0.5
    index, days, death = repeat_purchases(rng, accept, start, customers.lam[who], customers.drop_p[who])
    path = pd.DataFrame({"customer": who[index], "day": days.astype(np.int64)})
    path = path.merge(induced[["customer", "day"]], how="left", indicator=True)
    path = path[path["_merge"] == "left_only"].drop(columns="_merge").drop_duplicates()
    path["value"] = order_values(rng, cfg, customers.nu[path["customer"].to_numpy()])
    return path.assign(induced=False), death


def _treated_future(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers, after: pd.DataFrame,
                    death: np.ndarray, send_day: int, positions: np.ndarray, kinds: np.ndarray,
                    alive: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    horizon = cfg.n_days + cfg.future_days
    accept = acceptance(cfg, horizon)
    new_death = death[positions].astype(float)
    leaving = positions[kinds == "sleeping_dog"]
    new_death[kinds == "sleeping_dog"] = send_day + 0.5
    kept = after[~after["customer"].isin(leaving)].assign(induced=False)
    persuaded = kinds == "persuadable"
    induced = _induced_orders(rng, cfg, customers, positions[persuaded], send_day, accept)
    won = ~alive & persuaded
    revived, revived_death = _won_back(rng, cfg, customers, induced[~alive[persuaded]], accept)
    new_death[won] = revived_death
    treated = pd.concat([kept, induced, revived], ignore_index=True)
    treated = treated[treated["day"] < horizon]
    return treated.sort_values(["day", "customer"], kind="stable").reset_index(drop=True), new_death


def respond(rng: np.random.Generator, cfg: GeneratorConfig, customers: Customers, purchases: pd.DataFrame,
            death: np.ndarray, responsiveness: np.ndarray, send_day: int, positions: np.ndarray) -> OfferResponse:
    """Offer the customers at ``positions`` an offer on ``send_day``: their types, uplift and treated future.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the induced orders and the won-back paths (not the untreated future, which is given).
    purchases, death : pandas.DataFrame, numpy.ndarray
        Every purchase (``customer``, ``day``, ``value``) and each customer's dropout time without this offer.
    responsiveness : numpy.ndarray
        Each customer's ``u`` (all customers, by position).
    """
    window = cfg.response.outcome_days
    positions = np.asarray(positions, dtype=np.intp)
    horizon = cfg.n_days + cfg.future_days
    alive = death[positions] >= send_day + 1
    q = purchase_probability(customers.lam[positions], alive, acceptance(cfg, horizon), send_day, window)
    offered = purchases["customer"].isin(positions)
    after = purchases.loc[offered & (purchases["day"] > send_day), ["customer", "day", "value"]]
    kinds = _types(responsiveness[positions], q, alive, _buys_in_window(after, positions, send_day, window), cfg)
    uplift = np.select([kinds == "persuadable", kinds == "sleeping_dog"], [1.0 - q, -q], 0.0)
    treated, new_death = _treated_future(rng, cfg, customers, after, death, send_day, positions, kinds, alive)
    return OfferResponse(send_day=send_day, window_days=window, positions=positions, probability=q,
                         response_type=kinds, uplift=uplift, treated=treated, death=new_death)


def first_order_in_window(purchases: pd.DataFrame, send_day: int, window: int) -> pd.DataFrame:
    """Each customer's first purchase in the window after ``send_day`` (the order a next-order offer discounts)."""
    in_window = purchases[(purchases["day"] > send_day) & (purchases["day"] <= send_day + window)]
    return in_window.sort_values(["customer", "day"], kind="stable").drop_duplicates("customer")
