"""Tests for retention.features: hand-computed values, no look-ahead, windows and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.features import FEATURE_COLUMNS, FEATURE_DESCRIPTIONS, customer_features
from retention.generator import GeneratorConfig, generate

CUTOFF = "2011-04-20"


def _lines(rows: list[tuple]) -> pd.DataFrame:
    """Purchase lines from (InvoiceNo, StockCode, InvoiceDate, CustomerID, Country, Revenue) tuples."""
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "InvoiceDate", "CustomerID", "Country",
                                        "Revenue"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    frame["Quantity"] = 1
    frame["UnitPrice"] = frame["Revenue"]
    frame["Description"] = "ITEM"
    return frame


@pytest.fixture()
def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three customers with known answers at CUTOFF, plus lines after it that must be ignored."""
    tx = _lines([
        # A: 4 invoices on 3 order days; UK on 3 invoices, France on 1.
        ("1", "P1", "2011-01-10 10:00", "A", "United Kingdom", 100.0),
        ("1", "P2", "2011-01-10 10:00", "A", "United Kingdom", 50.0),
        ("2", "P1", "2011-01-20 09:00", "A", "United Kingdom", 30.0),
        ("3", "P3", "2011-03-01 15:00", "A", "France", 20.0),
        ("4", "P3", "2011-03-01 18:00", "A", "United Kingdom", 10.0),
        ("9", "P9", "2011-04-21 00:00", "A", "United Kingdom", 999.0),  # first instant after the cutoff
        # B: one order late on the cutoff day, no country.
        ("5", "P1", "2011-04-20 23:59", "B", None, 40.0),
        # C: two December orders; returns more than it bought.
        ("6", "P4", "2010-12-05 12:00", "C", "Germany", 60.0),
        ("7", "P4", "2010-12-15 12:00", "C", "Germany", 40.0),
        # D: only buys after the cutoff.
        ("8", "P1", "2011-05-02 12:00", "D", "Spain", 70.0),
    ])
    returns = _lines([
        ("C1", "P1", "2011-02-01 10:00", "A", "United Kingdom", -21.0),
        ("C2", "P1", "2011-04-25 10:00", "A", "United Kingdom", -50.0),  # after the cutoff
        ("C3", "P4", "2010-12-20 10:00", "C", "Germany", -200.0),
    ])
    return tx, returns


@pytest.fixture(scope="module")
def realistic() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Crudely cleaned generated purchases and returns of identified customers."""
    log = generate(GeneratorConfig(n_customers=300)).transactions
    log = log.assign(Revenue=log["Quantity"] * log["UnitPrice"])
    known = log["CustomerID"].notna()
    cancel = log["InvoiceNo"].str.startswith("C")
    purchases = log[known & ~cancel & (log["Quantity"] > 0) & (log["UnitPrice"] > 0)]
    returns = log[known & cancel & (log["Quantity"] < 0)]
    return purchases.reset_index(drop=True), returns.reset_index(drop=True)


def test_hand_computed_values(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, returns = tiny
    f = customer_features(tx, CUTOFF, returns=returns)
    assert list(f.columns) == list(FEATURE_COLUMNS)
    assert list(f.index) == ["A", "B", "C"]
    assert f.index.name == "CustomerID"

    a = f.loc["A"]
    assert a["Recency"] == 50  # 2011-03-01 -> 2011-04-20
    assert a["Frequency"] == 4
    assert a["Tenure"] == 100  # 2011-01-10 -> 2011-04-20
    assert a["PurchaseVelocity"] == pytest.approx(25.0)  # days Jan 10, Jan 20, Mar 1: 50 days / 2 gaps
    assert a["Monetary"] == pytest.approx(210.0 - 21.0)  # the return after the cutoff is ignored
    assert a["AvgOrderValue"] == pytest.approx(210.0 / 4)
    assert a["ReturnRate"] == pytest.approx(21.0 / 210.0)
    assert a["UniqueProducts"] == 3
    assert a["PeakSeasonShare"] == 0.0 and not a["PeakSeason"]
    # Last 90 days = 2011-01-21 .. 2011-04-20: invoices 3 and 4 and the 2011-02-01 return.
    assert a["Frequency_90d"] == 2
    assert a["Monetary_90d"] == pytest.approx(30.0 - 21.0)
    assert a["OrdersPerMonthRecentVsOverall"] == pytest.approx((2 / 90) / (4 / 101))
    assert a["Country"] == "United Kingdom"
    assert a["FirstPurchase"] == pd.Timestamp("2011-01-10")
    assert a["LastPurchase"] == pd.Timestamp("2011-03-01")

    b = f.loc["B"]
    assert (b["Recency"], b["Tenure"], b["Frequency"], b["Frequency_90d"]) == (0, 0, 1, 1)
    assert b["PurchaseVelocity"] == 1.0  # one order day: max(Tenure, 1)
    assert b["OrdersPerMonthRecentVsOverall"] == pytest.approx(1.0)  # younger than 90 days
    assert b["ReturnRate"] == 0.0
    assert pd.isna(b["Country"])

    c = f.loc["C"]
    assert c["Recency"] == 126 and c["Tenure"] == 136
    assert c["PurchaseVelocity"] == pytest.approx(10.0)
    assert c["Monetary"] == 0.0  # returned 200 of 100 bought: floored
    assert c["ReturnRate"] == 1.0  # capped
    assert c["PeakSeasonShare"] == 1.0 and c["PeakSeason"]
    assert c["Frequency_90d"] == 0 and c["Monetary_90d"] == 0.0
    assert c["OrdersPerMonthRecentVsOverall"] == 0.0
    assert c["Country"] == "Germany"


def test_dtypes_and_descriptions(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, _ = tiny
    f = customer_features(tx, CUTOFF)
    for column in ("Recency", "Frequency", "Tenure", "Frequency_90d"):
        assert f[column].dtype == np.int64, column
    assert f["PeakSeason"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(f["LastPurchase"])
    assert set(FEATURE_DESCRIPTIONS) == set(f.columns)
    assert f.loc["A", "Monetary"] == pytest.approx(210.0)  # no returns given


def test_peak_months_and_one_order_velocity(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, _ = tiny
    f = customer_features(tx, CUTOFF, peak_months=[1])
    assert f.loc["A", "PeakSeasonShare"] == pytest.approx(180.0 / 210.0)
    assert bool(f.loc["A", "PeakSeason"])
    assert f.loc["C", "PeakSeasonShare"] == 0.0
    one_order = customer_features(tx, "2011-01-15")  # A has one order day, 5 days before the cutoff
    assert one_order.loc["A", "PurchaseVelocity"] == 5.0
    assert one_order.loc["A", "Frequency"] == 1


def test_window_days(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, returns = tiny
    # 60 days up to 2011-04-20 start on 2011-02-20: C drops out, A keeps invoices 3 and 4.
    f = customer_features(tx, CUTOFF, returns=returns, window_days=60)
    assert list(f.index) == ["A", "B"]
    assert f.loc["A", "Frequency"] == 2
    assert f.loc["A", "Tenure"] == 50
    assert f.loc["A", "Monetary"] == pytest.approx(30.0)  # the February return is outside the window
    assert f.loc["A", "FirstPurchase"] == pd.Timestamp("2011-03-01")
    # The first day of the window is included: 50 days covers 2011-03-02 .. 2011-04-20.
    assert "A" not in customer_features(tx, CUTOFF, window_days=50).index
    assert "A" in customer_features(tx, CUTOFF, window_days=51).index
    midnight = _lines([("1", "P1", "2011-03-01 00:00", "E", "Spain", 5.0)])
    assert "E" in customer_features(midnight, CUTOFF, window_days=51).index
    with pytest.raises(ValueError, match="50-day window starting 2011-03-02"):
        customer_features(midnight, CUTOFF, window_days=50)


def test_cutoff_never_leaks(realistic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    purchases, returns = realistic
    cutoff = pd.Timestamp("2011-06-30")
    end = cutoff + pd.Timedelta(days=1)
    before = purchases[purchases["InvoiceDate"] < end]
    returns_before = returns[returns["InvoiceDate"] < end]
    assert len(before) < len(purchases) and len(returns_before) < len(returns)
    expected = customer_features(before, cutoff, returns=returns_before)

    # Extra lines after the cutoff: for existing customers, a new one, and at the first instant after.
    late = purchases.sample(n=50, random_state=1).assign(InvoiceDate=end, InvoiceNo="LATE", Revenue=1e6)
    late.loc[late.index[:5], "CustomerID"] = "NEWCOMER"
    late_returns = late.assign(Revenue=-5e5, InvoiceNo="CLATE")
    leaked = customer_features(pd.concat([purchases, late]), cutoff,
                               returns=pd.concat([returns, late_returns]))
    pd.testing.assert_frame_equal(leaked, expected)


def test_row_order_does_not_matter(realistic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    purchases, returns = realistic
    expected = customer_features(purchases, "2011-09-30", returns=returns)
    shuffled = purchases.sample(frac=1.0, random_state=7)
    got = customer_features(shuffled, "2011-09-30", returns=returns.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(got, expected)
    assert expected.index.is_monotonic_increasing
    assert (expected["Monetary"] >= 0).all()
    assert expected["ReturnRate"].between(0, 1).all()


def test_missing_stock_codes(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, _ = tiny
    absent = customer_features(tx.drop(columns="StockCode"), CUTOFF)
    assert absent["UniqueProducts"].isna().all()
    no_codes = pd.Series(pd.NA, index=tx.index, dtype="str")
    all_missing = customer_features(tx.assign(StockCode=no_codes), CUTOFF)
    assert all_missing["UniqueProducts"].isna().all()
    no_country = customer_features(tx.drop(columns="Country"), CUTOFF)
    assert no_country["Country"].isna().all()


def test_country_tie_is_alphabetical() -> None:
    tx = _lines([
        ("1", "P1", "2011-01-10", "A", "Spain", 10.0),
        ("2", "P1", "2011-01-11", "A", "France", 10.0),
    ])
    assert customer_features(tx, "2011-01-31").loc["A", "Country"] == "France"


def test_cutoff_before_data_names_dates(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, _ = tiny
    with pytest.raises(ValueError, match=r"cutoff 2010-11-30.*starts on 2010-12-05"):
        customer_features(tx, "2010-11-30")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="Revenue"), "missing required column"),
        (lambda d: d.assign(InvoiceDate=d["InvoiceDate"].astype(str)), "datetime64"),
        (lambda d: d.assign(CustomerID=d["CustomerID"].where(d.index > 0)), "missing value"),
        (lambda d: d.assign(Revenue=-d["Revenue"]), "negative Revenue"),
    ],
)
def test_invalid_input(tiny: tuple[pd.DataFrame, pd.DataFrame], change, message: str) -> None:
    tx, _ = tiny
    with pytest.raises(ValueError, match=message):
        customer_features(change(tx), CUTOFF)


def test_invalid_options(tiny: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tx, returns = tiny
    with pytest.raises(ValueError, match="peak_months"):
        customer_features(tx, CUTOFF, peak_months=[13])
    with pytest.raises(ValueError, match="window_days"):
        customer_features(tx, CUTOFF, window_days=0)
    with pytest.raises(ValueError, match="Revenue <= 0"):
        customer_features(tx, CUTOFF, returns=returns.assign(Revenue=5.0))
