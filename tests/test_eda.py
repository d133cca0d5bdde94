import numpy as np
import pandas as pd
import pytest

from retention import eda


@pytest.fixture
def tx(lines):
    df = lines([
        ("1", "A", 2, "2011-01-03 10:15", 5.0, "1"),   # Monday
        ("1", "B", 1, "2011-01-03 10:15", 4.0, "1"),
        ("2", "A", 1, "2011-01-20 14:00", 5.0, "2"),   # Thursday
        ("3", "A", 3, "2011-02-07 10:30", 5.0, "1"),   # customer 1 returns in February
        ("4", "B", 1, "2011-03-15 09:00", 4.0, "3"),
        ("5", "B", 2, "2011-03-16 09:00", 4.0, "1"),   # and in March
    ])
    return df.assign(Revenue=df["Quantity"] * df["UnitPrice"])


def test_orders_and_monthly_activity(tx):
    orders = eda.orders(tx)
    assert orders.set_index("InvoiceNo").loc["1", "value"] == 14.0
    assert orders.set_index("InvoiceNo").loc["1", "lines"] == 2
    monthly = eda.monthly_activity(tx).set_index("month")
    assert monthly["revenue"].tolist() == [19.0, 15.0, 12.0]
    assert monthly["orders"].tolist() == [2, 1, 2]
    assert monthly["new_customers"].tolist() == [2, 0, 1]
    assert monthly["returning_customers"].tolist() == [0, 1, 1]


def test_weekday_hour_grid(tx):
    grid = eda.weekday_hour_orders(tx)
    assert grid.shape == (7, 24)
    assert grid.loc["Monday", 10] == 2 and grid.loc["Thursday", 14] == 1 and grid.to_numpy().sum() == 5


def test_cohort_retention_matrix(tx):
    cohorts = eda.cohort_retention(tx)
    jan = cohorts.loc[pd.Timestamp("2011-01-01")]
    assert jan["customers"] == 2
    assert jan[0] == 1.0 and jan[1] == 0.5 and jan[2] == 0.5
    mar = cohorts.loc[pd.Timestamp("2011-03-01")]
    assert mar[0] == 1.0 and np.isnan(mar[1])  # after the end of the data: unknown, not zero


def test_top_lists_and_headline(tx):
    countries = eda.top_countries(tx, n=5)
    assert countries["revenue_share"].sum() == pytest.approx(1.0)
    products = eda.top_products(tx, n=1)
    assert products["stock_code"].tolist() == ["A"] and products["revenue"].iloc[0] == 30.0
    h = eda.headline(tx)
    assert h["customers"] == 3 and h["orders"] == 5 and h["revenue"] == 46.0
    assert h["one_time_share"] == pytest.approx(2 / 3)
    assert h["peak_month"] == pd.Timestamp("2011-01-01")


def test_order_free_definitions_of_an_orders_customer_and_a_products_description(tx):
    mixed = tx.copy()
    mixed.loc[1, "CustomerID"] = "0"  # invoice 1 now has customers "1" and "0": the smaller one owns it
    assert eda.orders(mixed).set_index("InvoiceNo").loc["1", "CustomerID"] == "0"
    named = tx.assign(Description=["b", "z", "b", "a", "y", "y"])  # A: b, b, a -> b; B: z, y, y -> y
    products = eda.top_products(named, n=2).set_index("stock_code")
    assert products.loc["A", "description"] == "b" and products.loc["B", "description"] == "y"


def test_log_histogram_counts_bins_like_numpy():
    values = np.array([0.0, 1.0, 2.0, 10.0, 100.0])
    table = eda.log_histogram_counts(values, n_bins=2)
    assert table["left"].tolist() == [1.0, 10.0] and table["right"].tolist() == [10.0, 100.0]
    assert table["orders"].tolist() == [3, 2]  # 0 counts in the first bin; 100 closes the last one
