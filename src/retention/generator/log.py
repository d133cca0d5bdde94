"""From simulated orders to the lines of an Online-Retail-like log, with the quirks of the real UCI file.

Orders become product lines whose values add up to about the order value; a discounted order (a redeemed
offer) has its line prices reduced by the discount. The log also carries lines without CustomerID (guest
orders with the dotcom postage line), cancellations that reverse earlier lines, exact duplicates, zero
prices, postage and fee codes, and one huge order cancelled the same day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.generator.config import GeneratorConfig
from retention.generator.process import Customers, day_weights

__all__ = ["CANONICAL_ORDER", "HOUR_WEIGHT", "catalogue", "build_log"]

CANONICAL_ORDER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                   "CustomerID", "Country"]
HOUR_WEIGHT = np.array([0, 0, 0, 0, 0, 0, 0, 0.3, 1.2, 2.4, 3.0, 3.6, 4.2, 3.8, 3.2, 2.6, 1.4, 0.8,
                        0.5, 0.4, 0.3, 0, 0, 0], dtype=float)

_COLOURS = ["RED", "PINK", "BLUE", "GREEN", "WHITE", "IVORY", "BLACK", "CREAM", "SILVER", "GOLD",
            "PURPLE", "YELLOW", "ORANGE", "PASTEL", "VINTAGE", "RETRO", "SWEETHEART", "SPOTTY"]
_MOTIFS = ["RETROSPOT", "HEART", "STAR", "BIRD", "FLORAL", "REGENCY", "PAISLEY", "SKULL", "DOLLY GIRL",
           "SPACEBOY", "WOODLAND", "LOVE", "DAISY", "POLKADOT", "CHRISTMAS", "EASTER", "JUNGLE", "ROSE"]
_ITEMS = ["T-LIGHT HOLDER", "LUNCH BAG", "CAKE STAND", "JUMBO BAG", "MUG", "TEA SET", "NAPKINS",
          "PAPER CHAIN KIT", "ALARM CLOCK", "DOORMAT", "BUNTING", "CANDLE", "GIFT WRAP", "PHOTO FRAME",
          "CUSHION COVER", "WATER BOTTLE", "CHILDRENS APRON", "PARTY CUPS", "STORAGE TIN", "COASTERS",
          "WALL ART", "HANGING DECORATION", "NOTEBOOK", "SHOPPING BAG", "BAKING SET", "LANTERN"]


def catalogue(rng: np.random.Generator, n_products: int = 3600) -> pd.DataFrame:
    """Products with codes, names, list prices and a long-tailed popularity (``weight``, sums to 1)."""
    codes = rng.choice(np.arange(10002, 90000), size=n_products, replace=False)
    suffix = rng.choice(["", "", "", "", "A", "B", "C"], size=n_products)
    names = {f"{rng.choice(_COLOURS)} {rng.choice(_MOTIFS)} {rng.choice(_ITEMS)}" for _ in range(n_products * 3)}
    names = sorted(names)
    picked = rng.choice(len(names), size=n_products, replace=False)
    price = np.round(np.exp(rng.normal(np.log(2.6), 0.75, n_products)), 2).clip(0.1, 60)
    popularity = 1.0 / (np.arange(1, n_products + 1) + 10.0) ** 0.8
    return pd.DataFrame({
        "StockCode": [f"{c}{s}" for c, s in zip(codes, suffix, strict=True)],
        "Description": [names[i] for i in picked],
        "UnitPrice": price,
        "weight": popularity / popularity.sum(),
    })


def _orders_to_lines(rng: np.random.Generator, orders: pd.DataFrame, products: pd.DataFrame,
                     extra_lines_mean: float) -> pd.DataFrame:
    """Expand orders (order_id, value) into product lines whose values add up to about the order value."""
    n_lines = 1 + rng.negative_binomial(2, 2 / (2 + extra_lines_mean), size=len(orders))
    order_idx = np.repeat(np.arange(len(orders)), n_lines)
    product = rng.choice(len(products), size=order_idx.size, p=products["weight"].to_numpy())
    lines = pd.DataFrame({"order": order_idx, "product": product}).drop_duplicates()
    share = rng.exponential(1.0, size=len(lines))
    share = share / pd.Series(share).groupby(lines["order"].to_numpy()).transform("sum").to_numpy()
    price = products["UnitPrice"].to_numpy()[lines["product"].to_numpy()]
    value = orders["value"].to_numpy()[lines["order"].to_numpy()] * share
    lines["Quantity"] = np.maximum(1, np.round(value / price)).astype(np.int64)
    lines["UnitPrice"] = price
    lines["StockCode"] = products["StockCode"].to_numpy()[lines["product"].to_numpy()]
    lines["Description"] = products["Description"].to_numpy()[lines["product"].to_numpy()]
    return lines.drop(columns="product").reset_index(drop=True)


def _clock(rng: np.random.Generator, n: int) -> np.ndarray:
    hours = rng.choice(24, size=n, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    return (hours * 60 + rng.integers(0, 60, size=n)).astype("timedelta64[m]")


def _customer_lines(rng: np.random.Generator, cfg: GeneratorConfig, purchases: pd.DataFrame,
                    customers: Customers, products: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines of the identified customers' orders in the log period; discounted orders pay less per unit."""
    orders = purchases[purchases["day"] < cfg.n_days].reset_index(drop=True)
    position = orders["customer"].to_numpy()
    orders["CustomerID"] = customers.ids[position].astype(str)
    orders["Country"] = customers.country[position]
    start = pd.Timestamp(cfg.start_date)
    orders["when"] = start + pd.to_timedelta(orders["day"], unit="D") + _clock(rng, len(orders))
    lines = _orders_to_lines(rng, orders, products, cfg.latent.mean_extra_lines)
    if "discount" in orders.columns:
        lines["UnitPrice"] = lines["UnitPrice"] * (1.0 - orders["discount"].to_numpy()[lines["order"].to_numpy()])
    return lines.join(orders[["CustomerID", "Country", "when"]], on="order"), orders


def _guest_lines(rng: np.random.Generator, cfg: GeneratorConfig, products: pd.DataFrame, n_identified: int,
                 days: pd.DatetimeIndex) -> pd.DataFrame:
    share = cfg.guest_line_share
    target = int(round(n_identified * share / (1 - share)))
    if target == 0:
        return pd.DataFrame(columns=["order", "Quantity", "UnitPrice", "StockCode", "Description", "when"])
    n_orders = max(1, int(round(target / (1 + cfg.latent.guest_mean_lines))))
    w = day_weights(days, cfg.seasonal)
    day = rng.choice(len(days), size=n_orders, p=w / w.sum())
    orders = pd.DataFrame({"value": rng.gamma(2.0, 180.0, size=n_orders)})
    lines = _orders_to_lines(rng, orders, products, cfg.latent.guest_mean_lines)
    lines["Quantity"] = np.maximum(1, lines["Quantity"] // 4)
    when = days[day] + _clock(rng, n_orders)
    lines["when"] = when[lines["order"].to_numpy()]
    lines["order"] = lines["order"] + 10_000_000  # keep guest orders apart from identified ones
    lines["CustomerID"] = pd.NA
    lines["Country"] = rng.choice(["United Kingdom", "EIRE", "France"], p=[0.96, 0.02, 0.02], size=n_orders)[
        lines["order"].to_numpy() - 10_000_000]
    # Guest orders carry the dotcom postage line, as in the real file.
    dot = lines.drop_duplicates("order").sample(frac=0.6, random_state=rng.integers(1 << 31))
    dot = dot.assign(StockCode="DOT", Description="DOTCOM POSTAGE", Quantity=1,
                     UnitPrice=np.round(rng.uniform(30, 900, len(dot)), 2))
    return pd.concat([lines, dot], ignore_index=True).assign(kind="sale")


def _postage_and_cancellations(rng: np.random.Generator, log: pd.DataFrame, identified: pd.Series,
                               end: pd.Timestamp) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """Postage on most orders from abroad; later "C" invoices reversing one to three lines of 6% of orders."""
    abroad = log[identified & (log["Country"] != "United Kingdom")].drop_duplicates("order")
    post = abroad.sample(frac=0.7, random_state=rng.integers(1 << 31))
    extra = [post.assign(StockCode="POST", Description="POSTAGE", Quantity=rng.integers(1, 4, len(post)),
                         UnitPrice=rng.choice([15.0, 18.0, 28.0], len(post)), kind="sale")]
    ordered = log[identified].drop_duplicates("order")
    cancelled = ordered.sample(frac=0.06, random_state=rng.integers(1 << 31))
    reversed_lines = log[log["order"].isin(cancelled["order"])].groupby("order").head(int(rng.integers(1, 4)))
    delay = pd.to_timedelta(rng.integers(0, 21, len(cancelled)), unit="D")
    when = (cancelled.set_index("order")["when"] + delay).clip(upper=end + pd.Timedelta(hours=23))
    extra.append(reversed_lines.assign(Quantity=-reversed_lines["Quantity"], kind="cancel",
                                       when=reversed_lines["order"].map(when),
                                       order=reversed_lines["order"] + 20_000_000))
    return extra, ordered


def _fees(rng: np.random.Generator, ordered: pd.DataFrame) -> list[pd.DataFrame]:
    """Fees and adjustments that are not products."""
    some = ordered.sample(n=min(len(ordered), 40), random_state=rng.integers(1 << 31))
    codes = rng.choice(["M", "BANK CHARGES", "C2", "PADS"], size=len(some))
    desc = {"M": "Manual", "BANK CHARGES": "Bank Charges", "C2": "CARRIAGE", "PADS": "PADS TO MATCH ALL CUSHIONS"}
    extra = [some.assign(StockCode=codes, Description=[desc[c] for c in codes], Quantity=1,
                         UnitPrice=np.round(rng.uniform(0.5, 50, len(some)), 2), kind="sale",
                         order=some["order"] + 30_000_000)]
    fees = ordered.sample(n=min(len(ordered), 12), random_state=rng.integers(1 << 31))
    extra.append(fees.assign(StockCode="AMAZONFEE", Description="AMAZON FEE", Quantity=-1, CustomerID=pd.NA,
                             UnitPrice=np.round(rng.uniform(1000, 9000, len(fees)), 2), kind="cancel",
                             order=fees["order"] + 40_000_000))
    adjust = ordered.sample(n=min(len(ordered), 2), random_state=rng.integers(1 << 31))
    extra.append(adjust.assign(StockCode="B", Description="Adjust bad debt", Quantity=1, CustomerID=pd.NA,
                               UnitPrice=-11062.06, kind="adjust", order=adjust["order"] + 50_000_000))
    return extra


def _huge_order(ordered: pd.DataFrame) -> list[pd.DataFrame]:
    """The one huge order, reversed the same day."""
    big = ordered.iloc[[len(ordered) * 9 // 10]]
    return [big.assign(StockCode="23843", Description="PAPER CRAFT , LITTLE BIRDIE", Quantity=80995,
                       UnitPrice=2.08, kind="sale", order=big["order"] + 60_000_000),
            big.assign(StockCode="23843", Description="PAPER CRAFT , LITTLE BIRDIE", Quantity=-80995,
                       UnitPrice=2.08, kind="cancel", order=big["order"] + 70_000_000,
                       when=big["when"] + pd.Timedelta(minutes=12))]


def _add_quirks(rng: np.random.Generator, log: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    identified = log["CustomerID"].notna() & (log["kind"] == "sale")
    extra, ordered = _postage_and_cancellations(rng, log, identified, end)
    extra += _fees(rng, ordered)
    # Zero prices on a few lines.
    zero = log.index[identified].to_numpy()
    zero = rng.choice(zero, size=max(1, len(zero) // 500), replace=False)
    log.loc[zero, "UnitPrice"] = 0.0
    extra += _huge_order(ordered)
    log = pd.concat([log, *extra], ignore_index=True)
    # Exact duplicate lines (about 1%), as the real file has.
    dup = log[log["kind"] == "sale"].sample(frac=0.01, random_state=rng.integers(1 << 31))
    return pd.concat([log, dup], ignore_index=True)


def _finalise(log: pd.DataFrame) -> pd.DataFrame:
    """Number invoices in time order and return the canonical columns."""
    log = log.sort_values(["when", "order"], kind="stable").reset_index(drop=True)
    invoice_seq = pd.factorize(log["order"].astype(np.int64))[0] + 536365
    prefix = np.select([log["kind"] == "cancel", log["kind"] == "adjust"], ["C", "A"], "")
    out = pd.DataFrame({
        "InvoiceNo": pd.Series(prefix, dtype=object) + invoice_seq.astype(str),
        "StockCode": log["StockCode"].astype(str),
        "Description": log["Description"].astype(str),
        "Quantity": log["Quantity"].astype(np.int64),
        "InvoiceDate": log["when"].dt.floor("min"),
        "UnitPrice": log["UnitPrice"].astype(float).round(2),
        "CustomerID": log["CustomerID"].astype("string"),
        "Country": log["Country"].astype(str),
    })
    return out[CANONICAL_ORDER]


def build_log(rng: np.random.Generator, cfg: GeneratorConfig, purchases: pd.DataFrame, customers: Customers,
              products: pd.DataFrame) -> pd.DataFrame:
    """The transaction log (canonical columns) of the purchases made within the log period.

    ``purchases`` holds ``customer`` (position), ``day``, ``value`` (full price) and optionally ``discount``
    (the share taken off a redeemed order's line prices).
    """
    lines, _ = _customer_lines(rng, cfg, purchases, customers, products)
    days = pd.date_range(pd.Timestamp(cfg.start_date), periods=cfg.n_days, freq="D")
    guests = _guest_lines(rng, cfg, products, len(lines), days)
    log = pd.concat([lines.assign(kind="sale"), guests], ignore_index=True)
    log = _add_quirks(rng, log, pd.Timestamp(cfg.end_date))
    return _finalise(log)
