"""A seeded generator of an Online-Retail-like transaction log with known ground truth.

Customer behaviour follows the BG/NBD story (Fader, Hardie & Lee 2005, "Counting Your Customers the
Easy Way"): each customer buys at an individual Poisson rate ``lambda ~ Gamma(r, alpha)`` and, after
each repeat purchase, drops out for good with an individual probability ``p ~ Beta(a, b)``. Order
values follow the Gamma-Gamma spend model (Fader & Hardie 2013): ``z ~ Gamma(p_s, nu)`` with
``nu ~ Gamma(q, gamma)``. The calendar modulates the rate (a November peak, quiet Saturdays), and the
log carries the quirks of the real UCI file: lines without CustomerID, cancellations that reverse
earlier lines, exact duplicates, zero prices, postage and fee codes, and one huge order cancelled the
same day.

The process is simulated ``future_days`` beyond the end of the log, so the ground truth holds what
each customer really did next (purchases and spend), besides the latent rates and the dropout date.
Same seed, same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["LatentProcess", "GeneratorConfig", "SyntheticLog", "generate", "write_generated", "write_large_log"]

CANONICAL_ORDER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                   "CustomerID", "Country"]

# Share of customers per country, shaped like the UCI file (UK-dominant, European wholesalers).
COUNTRIES = {
    "United Kingdom": 0.885, "Germany": 0.022, "France": 0.020, "EIRE": 0.008, "Spain": 0.007,
    "Belgium": 0.006, "Switzerland": 0.005, "Portugal": 0.005, "Netherlands": 0.004, "Italy": 0.004,
    "Norway": 0.003, "Australia": 0.003, "Finland": 0.003, "Sweden": 0.003, "Austria": 0.003,
    "Denmark": 0.003, "Japan": 0.002, "Poland": 0.002, "Cyprus": 0.002, "Channel Islands": 0.002,
    "USA": 0.002, "Israel": 0.001, "Canada": 0.001, "Greece": 0.001, "Singapore": 0.001,
    "Iceland": 0.001, "Lithuania": 0.001,
}
# Relative purchase intensity by calendar month (1 = January) and weekday (0 = Monday).
MONTH_WEIGHT = np.array([0.75, 0.7, 0.85, 0.8, 0.9, 0.9, 0.9, 0.9, 1.15, 1.35, 1.7, 1.0])
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.05, 1.2, 0.8, 0.02, 0.65])
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
class GeneratorConfig:
    """What to generate: the ``generator`` section of the params."""

    seed: int = 42
    n_customers: int = 4300
    start_date: dt.date = dt.date(2010, 12, 1)
    months: int = 12
    guest_line_share: float = 0.25
    future_days: int = 365
    seasonal: bool = True   # False: flat calendar (a stationary process, for model checks)
    latent: LatentProcess = LatentProcess()

    @property
    def end_date(self) -> dt.date:
        """Last day of the log (inclusive)."""
        end = pd.Timestamp(self.start_date) + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)
        return end.date()


@dataclass(frozen=True)
class SyntheticLog:
    """The generated log (canonical columns) and one ground-truth row per identified customer."""

    transactions: pd.DataFrame
    truth: pd.DataFrame


def _day_weights(days: pd.DatetimeIndex, seasonal: bool = True) -> np.ndarray:
    if not seasonal:
        return np.ones(len(days))
    return MONTH_WEIGHT[days.month - 1] * WEEKDAY_WEIGHT[days.day_of_week]


def _catalogue(rng: np.random.Generator, n_products: int = 3600) -> pd.DataFrame:
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


def _acceptance(cfg: GeneratorConfig, horizon: int) -> np.ndarray:
    """Share of candidate purchase times kept on each day: the calendar's intensity over its maximum."""
    calendar = pd.date_range(cfg.start_date, periods=horizon + 1, freq="D")
    weights = _day_weights(calendar, cfg.seasonal)
    return weights / weights.max()


def _purchase_times(rng: np.random.Generator, cfg: GeneratorConfig, first_day: np.ndarray,
                    lam: np.ndarray, drop_p: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate repeat purchases (thinned Poisson, dropout after each) until ``horizon`` days.

    Returns customer index and day of every repeat purchase, and each customer's dropout day (inf when
    still alive at the horizon).
    """
    accept = _acceptance(cfg, horizon)
    n = len(lam)
    t = first_day.astype(float) + 0.5
    alive = np.ones(n, dtype=bool)
    death = np.full(n, np.inf)
    who, when = [], []
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


def _orders_to_lines(rng: np.random.Generator, orders: pd.DataFrame, catalogue: pd.DataFrame,
                     extra_lines_mean: float) -> pd.DataFrame:
    """Expand orders (order_id, value) into product lines whose values add up to about the order value."""
    n_lines = 1 + rng.negative_binomial(2, 2 / (2 + extra_lines_mean), size=len(orders))
    order_idx = np.repeat(np.arange(len(orders)), n_lines)
    product = rng.choice(len(catalogue), size=order_idx.size, p=catalogue["weight"].to_numpy())
    lines = pd.DataFrame({"order": order_idx, "product": product}).drop_duplicates()
    share = rng.exponential(1.0, size=len(lines))
    share = share / pd.Series(share).groupby(lines["order"].to_numpy()).transform("sum").to_numpy()
    price = catalogue["UnitPrice"].to_numpy()[lines["product"].to_numpy()]
    value = orders["value"].to_numpy()[lines["order"].to_numpy()] * share
    lines["Quantity"] = np.maximum(1, np.round(value / price)).astype(np.int64)
    lines["UnitPrice"] = price
    lines["StockCode"] = catalogue["StockCode"].to_numpy()[lines["product"].to_numpy()]
    lines["Description"] = catalogue["Description"].to_numpy()[lines["product"].to_numpy()]
    return lines.drop(columns="product").reset_index(drop=True)


def _clock(rng: np.random.Generator, n: int) -> np.ndarray:
    hours = rng.choice(24, size=n, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    return (hours * 60 + rng.integers(0, 60, size=n)).astype("timedelta64[m]")


def generate(cfg: GeneratorConfig | None = None) -> SyntheticLog:
    """Generate the synthetic log and its ground truth for ``cfg`` (deterministic for its seed)."""
    cfg = cfg or GeneratorConfig()
    lp = cfg.latent
    rng = np.random.default_rng(cfg.seed)
    start = pd.Timestamp(cfg.start_date)
    n_days = (pd.Timestamp(cfg.end_date) - start).days + 1
    horizon = n_days + cfg.future_days
    catalogue = _catalogue(rng)

    # Acquisition: a third of the base is already a customer and shows up in the first weeks.
    days = pd.date_range(start, periods=n_days, freq="D")
    existing_base = np.where(np.arange(n_days) < 45, 6.0, 1.0)
    birth_w = _day_weights(days, cfg.seasonal) * existing_base * np.linspace(1.0, 1.3, n_days)
    n = cfg.n_customers
    first_day = np.sort(rng.choice(n_days, size=n, p=birth_w / birth_w.sum()))
    lam = rng.gamma(lp.r, 1.0 / lp.alpha, size=n)
    drop_p = rng.beta(lp.a, lp.b, size=n)
    nu = rng.gamma(lp.spend_q, 1.0 / lp.spend_gamma, size=n)
    ids = (12346 + rng.permutation(np.arange(max(n, 6000)))[:n]).astype(np.int64)
    countries = np.array(list(COUNTRIES))
    country = rng.choice(countries, size=n, p=np.array(list(COUNTRIES.values())) / sum(COUNTRIES.values()))

    who, when, death = _purchase_times(rng, cfg, first_day, lam, drop_p, horizon)
    purchases = pd.DataFrame({"customer": np.concatenate([np.arange(n), who]),
                              "day": np.concatenate([first_day, when])})
    purchases = purchases.sort_values(["day", "customer"], kind="stable").drop_duplicates().reset_index(drop=True)
    purchases["value"] = rng.gamma(lp.spend_p, 1.0 / nu[purchases["customer"].to_numpy()])

    in_log = purchases["day"] < n_days
    truth = _truth(cfg, purchases, n_days, ids, first_day, lam, drop_p, death, nu, country)

    orders = purchases[in_log].reset_index(drop=True)
    orders["CustomerID"] = ids[orders["customer"].to_numpy()].astype(str)
    orders["Country"] = country[orders["customer"].to_numpy()]
    orders["when"] = start + pd.to_timedelta(orders["day"], unit="D") + _clock(rng, len(orders))
    lines = _orders_to_lines(rng, orders, catalogue, lp.mean_extra_lines)
    lines = lines.join(orders[["CustomerID", "Country", "when"]], on="order")

    guests = _guest_lines(rng, cfg, catalogue, len(lines), days)
    log = pd.concat([lines.assign(kind="sale"), guests], ignore_index=True)
    log = _add_quirks(rng, log, orders, catalogue, pd.Timestamp(cfg.end_date))
    return SyntheticLog(_finalise(log), truth)


def _truth(cfg: GeneratorConfig, purchases: pd.DataFrame, n_days: int, ids: np.ndarray, first_day: np.ndarray,
           lam: np.ndarray, drop_p: np.ndarray, death: np.ndarray, nu: np.ndarray,
           country: np.ndarray) -> pd.DataFrame:
    start = pd.Timestamp(cfg.start_date)
    future = purchases[purchases["day"] >= n_days]
    after = future["day"].to_numpy() - n_days  # 0 = first day after the end
    truth = pd.DataFrame({
        "CustomerID": ids.astype(str),
        "Country": country,
        "first_purchase": start + pd.to_timedelta(first_day, unit="D"),
        "rate_per_day": lam,
        # The calendar thins the nominal rate; this is the rate averaged over the simulated days.
        "effective_rate_per_day": lam * _acceptance(cfg, n_days + cfg.future_days).mean(),
        "dropout_probability": drop_p,
        "mean_order_value": cfg.latent.spend_p / nu,
        "alive_at_end": death >= n_days,
        "dropout_date": pd.to_datetime(
            np.where(np.isfinite(death), start.value + (np.nan_to_num(death, posinf=0) * 86400e9), np.nan)
        ).floor("D"),
    })
    for window in (30, 90, 180, 365):
        if window <= cfg.future_days:
            counts = np.bincount(future["customer"].to_numpy()[after < window], minlength=len(ids))
            truth[f"purchases_next_{window}d"] = counts
    spend = np.bincount(future["customer"].to_numpy()[after < 365],
                        weights=future["value"].to_numpy()[after < 365], minlength=len(ids))
    truth["spend_next_365d"] = np.round(spend, 2)
    return truth


def _guest_lines(rng: np.random.Generator, cfg: GeneratorConfig, catalogue: pd.DataFrame, n_identified: int,
                 days: pd.DatetimeIndex) -> pd.DataFrame:
    share = cfg.guest_line_share
    target = int(round(n_identified * share / (1 - share)))
    if target == 0:
        return pd.DataFrame(columns=["order", "Quantity", "UnitPrice", "StockCode", "Description", "when"])
    n_orders = max(1, int(round(target / (1 + cfg.latent.guest_mean_lines))))
    w = _day_weights(days, cfg.seasonal)
    day = rng.choice(len(days), size=n_orders, p=w / w.sum())
    orders = pd.DataFrame({"value": rng.gamma(2.0, 180.0, size=n_orders)})
    lines = _orders_to_lines(rng, orders, catalogue, cfg.latent.guest_mean_lines)
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


def _add_quirks(rng: np.random.Generator, log: pd.DataFrame, orders: pd.DataFrame, catalogue: pd.DataFrame,
                end: pd.Timestamp) -> pd.DataFrame:
    identified = log["CustomerID"].notna() & (log["kind"] == "sale")
    extra = []

    # Postage on most orders from abroad.
    abroad = log[identified & (log["Country"] != "United Kingdom")].drop_duplicates("order")
    post = abroad.sample(frac=0.7, random_state=rng.integers(1 << 31))
    extra.append(post.assign(StockCode="POST", Description="POSTAGE", Quantity=rng.integers(1, 4, len(post)),
                             UnitPrice=rng.choice([15.0, 18.0, 28.0], len(post)), kind="sale"))

    # Partial cancellations: a later "C" invoice reverses one to three lines of an earlier order.
    ordered = log[identified].drop_duplicates("order")
    cancelled = ordered.sample(frac=0.06, random_state=rng.integers(1 << 31))
    reversed_lines = log[log["order"].isin(cancelled["order"])].groupby("order").head(int(rng.integers(1, 4)))
    delay = pd.to_timedelta(rng.integers(0, 21, len(cancelled)), unit="D")
    when = (cancelled.set_index("order")["when"] + delay).clip(upper=end + pd.Timedelta(hours=23))
    extra.append(reversed_lines.assign(Quantity=-reversed_lines["Quantity"], kind="cancel",
                                       when=reversed_lines["order"].map(when),
                                       order=reversed_lines["order"] + 20_000_000))

    # Fees and adjustments that are not products.
    some = ordered.sample(n=min(len(ordered), 40), random_state=rng.integers(1 << 31))
    codes = rng.choice(["M", "BANK CHARGES", "C2", "PADS"], size=len(some))
    desc = {"M": "Manual", "BANK CHARGES": "Bank Charges", "C2": "CARRIAGE", "PADS": "PADS TO MATCH ALL CUSHIONS"}
    extra.append(some.assign(StockCode=codes, Description=[desc[c] for c in codes], Quantity=1,
                             UnitPrice=np.round(rng.uniform(0.5, 50, len(some)), 2), kind="sale",
                             order=some["order"] + 30_000_000))
    fees = ordered.sample(n=min(len(ordered), 12), random_state=rng.integers(1 << 31))
    extra.append(fees.assign(StockCode="AMAZONFEE", Description="AMAZON FEE", Quantity=-1, CustomerID=pd.NA,
                             UnitPrice=np.round(rng.uniform(1000, 9000, len(fees)), 2), kind="cancel",
                             order=fees["order"] + 40_000_000))
    adjust = ordered.sample(n=min(len(ordered), 2), random_state=rng.integers(1 << 31))
    extra.append(adjust.assign(StockCode="B", Description="Adjust bad debt", Quantity=1, CustomerID=pd.NA,
                               UnitPrice=-11062.06, kind="adjust", order=adjust["order"] + 50_000_000))

    # Zero prices on a few lines.
    zero = log.index[identified].to_numpy()
    zero = rng.choice(zero, size=max(1, len(zero) // 500), replace=False)
    log.loc[zero, "UnitPrice"] = 0.0

    # The one huge order, reversed the same day.
    big = ordered.iloc[[len(ordered) * 9 // 10]]
    extra.append(big.assign(StockCode="23843", Description="PAPER CRAFT , LITTLE BIRDIE", Quantity=80995,
                            UnitPrice=2.08, kind="sale", order=big["order"] + 60_000_000))
    extra.append(big.assign(StockCode="23843", Description="PAPER CRAFT , LITTLE BIRDIE", Quantity=-80995,
                            UnitPrice=2.08, kind="cancel", order=big["order"] + 70_000_000,
                            when=big["when"] + pd.Timedelta(minutes=12)))

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


def write_generated(cfg: GeneratorConfig, path: str | Path) -> tuple[Path, Path]:
    """Generate and write the log (CSV or Parquet by suffix) and ``<stem>_truth.csv`` beside it."""
    from retention.io import write_csv_atomic, write_parquet_atomic

    path = Path(path)
    synthetic = generate(cfg)
    if path.suffix == ".parquet":
        write_parquet_atomic(synthetic.transactions, path)
    else:
        write_csv_atomic(synthetic.transactions, path)
    truth_path = path.with_name(f"{path.stem}_truth.csv")
    write_csv_atomic(synthetic.truth, truth_path)
    return path, truth_path


def _block_log(cfg: GeneratorConfig, seed: int, block: int, chunk_customers: int) -> pd.DataFrame:
    """One independent block of customers: its own seed, customer ids and invoice numbers."""
    state = np.random.SeedSequence([int(seed), int(block)]).generate_state(1)[0]
    block_cfg = GeneratorConfig(seed=int(state), n_customers=chunk_customers, start_date=cfg.start_date,
                                months=cfg.months, guest_line_share=cfg.guest_line_share, future_days=0,
                                seasonal=cfg.seasonal, latent=cfg.latent)
    log = generate(block_cfg).transactions
    # generate() numbers customers from 12346 over max(n, 6000) ids and invoices from 536365 up: shift both.
    id_offset = block * max(chunk_customers, 6000)
    ids = log["CustomerID"]
    shifted = (pd.to_numeric(ids).astype("Int64") + id_offset).astype("string")
    invoice = log["InvoiceNo"].astype(str)
    parts = invoice.str.extract(r"^(?P<prefix>\D*)(?P<number>\d+)$")
    number = parts["number"].astype(np.int64) + block * 10_000_000
    log["InvoiceNo"] = (parts["prefix"] + number.astype(str)).astype(object)
    log["CustomerID"] = shifted.where(ids.notna(), pd.NA).astype("string")
    return log


def write_large_log(path_or_folder: str | Path, n_lines: int, seed: int = 0, *, chunk_customers: int = 20_000,
                    config: GeneratorConfig | None = None) -> list[Path]:
    """Write a log of exactly ``n_lines`` lines as Parquet chunks into a folder, one file per block.

    The log is built block by block, each block ``chunk_customers`` customers generated by
    :func:`generate` with a seed derived from ``(seed, block index)``, customer ids and invoice numbers
    shifted per block so they are unique across blocks; the last block is cut to the line count. Only
    one block is in memory at a time (about 54 lines per customer with the default config, so 20,000
    customers make a file of about 1.1 million lines; 10 million lines hold about 186,000 customers).
    The same arguments give the same files. The ground truth is not written, and ``future_days`` is
    not simulated.

    Parameters
    ----------
    path_or_folder : path
        The folder to write ``part-00000.parquet``, ``part-00001.parquet``, ... into (created; existing
        part files are removed first) and ``_large_log.json`` with the line, customer and file counts.
    n_lines : int
        Exact number of lines.
    seed : int
        Base seed.
    chunk_customers : int
        Customers per block (= per file).
    config : GeneratorConfig, optional
        Calendar and latent process of every block (its seed and n_customers are ignored).

    Returns
    -------
    list of Path
        The Parquet files written, in order.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(n_lines, bool) or int(n_lines) != n_lines or n_lines < 1:
        raise ValueError(f"n_lines must be a positive whole number, got {n_lines!r}")
    if isinstance(chunk_customers, bool) or int(chunk_customers) != chunk_customers or chunk_customers < 1:
        raise ValueError(f"chunk_customers must be a positive whole number, got {chunk_customers!r}")
    cfg = config or GeneratorConfig()
    folder = Path(path_or_folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    written: list[Path] = []
    remaining, block, customers = int(n_lines), 0, 0
    while remaining > 0:
        log = _block_log(cfg, seed, block, int(chunk_customers))
        if len(log) > remaining:
            log = log.iloc[:remaining]
        customers += int(log["CustomerID"].nunique())
        target = folder / f"part-{block:05d}.parquet"
        # Row groups of 2^18 lines: engines read a file with several threads.
        pq.write_table(pa.Table.from_pandas(log, preserve_index=False), target, row_group_size=1 << 18)
        written.append(target)
        remaining -= len(log)
        block += 1
    meta = {"lines": int(n_lines), "customers": customers, "files": len(written), "seed": int(seed),
            "chunk_customers": int(chunk_customers)}
    (folder / "_large_log.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return written
