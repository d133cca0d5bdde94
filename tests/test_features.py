"""The engine's customer features: hand-computed values, no look-ahead, windows and options (DuckDB)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.engine import open_log
from retention.features import FEATURE_COLUMNS, FEATURE_DESCRIPTIONS
from retention.generator import GeneratorConfig, generate

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

CUTOFF = "2011-04-20"


def _lines(rows: list[tuple]) -> pd.DataFrame:
    """Canonical lines from (InvoiceNo, StockCode, InvoiceDate, CustomerID, Country, Revenue) tuples.

    One unit per line at the line's value; a negative value is a return (a C invoice of -1 unit).
    """
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "StockCode", "InvoiceDate", "CustomerID", "Country",
                                        "Revenue"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    frame["Quantity"] = np.sign(frame["Revenue"]).astype(float)
    frame["UnitPrice"] = frame["Revenue"].abs().astype(float)
    frame["Description"] = "ITEM"
    return frame.drop(columns="Revenue")


TINY = _lines([
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
    # returns
    ("C1", "P1", "2011-02-01 10:00", "A", "United Kingdom", -21.0),
    ("C2", "P1", "2011-04-25 10:00", "A", "United Kingdom", -50.0),  # after the cutoff
    ("C3", "P4", "2010-12-20 10:00", "C", "Germany", -200.0),
])


def _features(frame: pd.DataFrame, cutoff: str = CUTOFF, **options) -> pd.DataFrame:
    with open_log(frame, layout="canonical") as log:
        return log.customer_features(cutoff, **options)


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    return _features(TINY)


@pytest.fixture(scope="module")
def realistic() -> pd.DataFrame:
    """A generated log (300 customers), lines as the loader writes them."""
    return generate(GeneratorConfig(n_customers=300)).transactions


def test_hand_computed_values(tiny: pd.DataFrame) -> None:
    f = tiny
    assert list(f.columns) == list(FEATURE_COLUMNS)
    assert list(f.index) == ["A", "B", "C"]
    assert f.index.name == "CustomerID"

    a = f.loc["A"]
    assert a["Recency"] == 50  # 2011-03-01 -> 2011-04-20
    assert a["Frequency"] == 4
    assert a["Tenure"] == 100  # 2011-01-10 -> 2011-04-20
    assert a["PurchaseVelocity"] == pytest.approx(25.0)  # days Jan 10, Jan 20, Mar 1: 50 days / 2 gaps
    assert a["Monetary"] == pytest.approx(210.0 - 21.0)  # returns subtract; the one after the cutoff is ignored
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


def test_dtypes_and_descriptions(tiny: pd.DataFrame) -> None:
    for column in ("Recency", "Frequency", "Tenure", "Frequency_90d"):
        assert tiny[column].dtype == np.int64, column
    assert tiny["PeakSeason"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(tiny["LastPurchase"])
    assert set(FEATURE_DESCRIPTIONS) == set(tiny.columns)
    no_returns = _features(TINY[~TINY["InvoiceNo"].str.startswith("C")])
    assert no_returns.loc["A", "Monetary"] == pytest.approx(210.0)
    assert no_returns.loc["A", "ReturnRate"] == 0.0


def test_peak_months_and_one_order_velocity() -> None:
    f = _features(TINY, peak_months=[1])
    assert f.loc["A", "PeakSeasonShare"] == pytest.approx(180.0 / 210.0)
    assert bool(f.loc["A", "PeakSeason"])
    assert f.loc["C", "PeakSeasonShare"] == 0.0
    one_order = _features(TINY, "2011-01-15")  # A has one order day, 5 days before the cutoff
    assert one_order.loc["A", "PurchaseVelocity"] == 5.0
    assert one_order.loc["A", "Frequency"] == 1


def test_window_days() -> None:
    # 60 days up to 2011-04-20 start on 2011-02-20: C drops out, A keeps invoices 3 and 4.
    with open_log(TINY, layout="canonical") as log:
        f = log.customer_features(CUTOFF, window_days=60)
        assert list(f.index) == ["A", "B"]
        assert f.loc["A", "Frequency"] == 2
        assert f.loc["A", "Tenure"] == 50
        assert f.loc["A", "Monetary"] == pytest.approx(30.0)  # the February return is outside the window
        assert f.loc["A", "FirstPurchase"] == pd.Timestamp("2011-03-01")
        # The first day of the window is included: 50 days covers 2011-03-02 .. 2011-04-20.
        assert "A" not in log.customer_features(CUTOFF, window_days=50).index
        assert "A" in log.customer_features(CUTOFF, window_days=51).index
    midnight = _lines([("1", "P1", "2011-03-01 00:00", "E", "Spain", 5.0),
                       ("2", "P1", "2011-05-01 00:00", "E", "Spain", 5.0)])
    with open_log(midnight, layout="canonical") as log:
        assert "E" in log.customer_features(CUTOFF, window_days=51).index
        with pytest.raises(ValueError, match="50-day window starting 2011-03-02"):
            log.customer_features(CUTOFF, window_days=50)


def test_cutoff_never_leaks(realistic: pd.DataFrame) -> None:
    """Lines after the cutoff (existing customers, a newcomer, returns, the first instant after) change nothing."""
    cutoff = pd.Timestamp("2011-06-30")
    end = cutoff + pd.Timedelta(days=1)
    assert (realistic["InvoiceDate"] >= end).any()
    with open_log(realistic, layout="canonical") as log:
        expected = log.customer_features(cutoff)
    buyers = realistic[realistic["CustomerID"].notna() & (realistic["Quantity"] > 0)]
    late = buyers.sample(n=50, random_state=1).assign(InvoiceDate=end, InvoiceNo="LATE", UnitPrice=4000.0)
    late.loc[late.index[:5], "CustomerID"] = "NEWCOMER"
    late_returns = late.assign(InvoiceNo="CLATE", Quantity=-late["Quantity"])
    with open_log(pd.concat([realistic, late, late_returns], ignore_index=True), layout="canonical",
                  config=None) as log:
        leaked = log.customer_features(cutoff)
    pd.testing.assert_frame_equal(leaked, expected)


def test_row_order_does_not_matter(realistic: pd.DataFrame) -> None:
    with open_log(realistic, layout="canonical") as log:
        expected = log.customer_features("2011-09-30")
    with open_log(realistic.sample(frac=1.0, random_state=7), layout="canonical") as log:
        got = log.customer_features("2011-09-30")
    pd.testing.assert_frame_equal(got, expected)
    assert expected.index.is_monotonic_increasing
    assert (expected["Monetary"] >= 0).all()
    assert expected["ReturnRate"].between(0, 1).all()


def test_missing_stock_codes_and_countries() -> None:
    absent = _features(TINY.drop(columns="StockCode"))
    assert absent["UniqueProducts"].isna().all()
    assert absent.loc["A", "Frequency"] == 4  # the other features do not need codes
    no_country = _features(TINY.drop(columns="Country"))
    assert no_country["Country"].isna().all()


def test_country_tie_is_alphabetical() -> None:
    tx = _lines([
        ("1", "P1", "2011-01-10", "A", "Spain", 10.0),
        ("2", "P1", "2011-01-11", "A", "France", 10.0),
    ])
    assert _features(tx, "2011-01-31").loc["A", "Country"] == "France"


def test_cutoff_before_data_and_invalid_options() -> None:
    with open_log(TINY, layout="canonical") as log:
        with pytest.raises(ValueError, match=r"cutoff 2010-11-30.*starts on 2010-12-05"):
            log.customer_features("2010-11-30")
        with pytest.raises(ValueError, match="peak_months"):
            log.customer_features(CUTOFF, peak_months=[13])
        with pytest.raises(ValueError, match="window_days"):
            log.customer_features(CUTOFF, window_days=0)
