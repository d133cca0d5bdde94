"""The EDA report's findings, read off the engine's small aggregates (hand-made tables)."""

import numpy as np
import pandas as pd
import pytest

from retention import eda


def _cohorts() -> pd.DataFrame:
    """Three cohorts: 100 customers (20% back next month), 2 customers (none back), and one too recent to know."""
    index = pd.DatetimeIndex(["2011-01-01", "2011-02-01", "2011-03-01"], name="cohort")
    return pd.DataFrame({"customers": [100, 2, 50], 0: [1.0, 1.0, 1.0], 1: [0.2, 0.0, np.nan]}, index=index)


def test_next_month_repeat_is_weighted_by_cohort_size_and_also_given_unweighted():
    found = eda.next_month_repeat(_cohorts())
    assert found.weighted == pytest.approx(20 / 102)  # the customers' rate: 20 of 102 came back
    assert found.unweighted == pytest.approx(0.1)  # the mean of the cohorts' rates: a 2-customer cohort drags it
    assert (found.cohorts, found.customers) == (2, 102) and found.differ
    none = eda.next_month_repeat(_cohorts()[[c for c in _cohorts().columns if c != 1]])
    assert np.isnan(none.weighted) and not none.differ


def test_large_orders_carry_the_business_only_with_a_large_revenue_share():
    headline = {"orders": 1000, "revenue": 50_000.0, "median_order_value": 20.0}
    big = eda.large_orders_finding(headline, {"threshold": 200.0, "orders": 10, "revenue": 15_000.0})
    assert big.order_share == 0.01 and big.revenue_share == 0.3 and big.carry_the_business
    small = eda.large_orders_finding(headline, {"threshold": 200.0, "orders": 3, "revenue": 900.0})
    assert not small.carry_the_business
    assert not eda.large_orders_finding(headline, {"threshold": 200.0, "orders": 0, "revenue": 0.0}).carry_the_business


def test_big_spending_countries_leave_out_the_pooled_rest():
    countries = pd.DataFrame({"country": ["UK", "Netherlands", "All other countries"], "revenue": [800.0, 150.0, 50.0],
                              "customers": [90, 2, 8], "orders": [300, 10, 20]})
    big = eda.big_spending_countries(countries, revenue=1000.0, customers=100)  # 10 per customer on average
    assert big["country"].tolist() == ["Netherlands"] and big["multiple"].iloc[0] == pytest.approx(7.5)


def test_busiest_slot_returning_share_and_largest_cut():
    grid = pd.DataFrame(np.zeros((7, 24), dtype=int), index=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                             "Saturday", "Sunday"])
    grid.loc["Thursday", 12] = 9
    assert eda.busiest_slot(grid) == ("Thursday", 12)
    monthly = pd.DataFrame({"active_customers": [10, 20, 30, 50], "returning_customers": [0, 10, 15, 25]})
    assert eda.recent_returning_share(monthly, 3) == pytest.approx(50 / 100)
    ledger = pd.DataFrame({"reason": ["rows_in", "blank_line", "missing_customer_id", "rows_kept"],
                           "rows": [100, 1, 30, 69]})
    assert eda.largest_cut(ledger)["reason"] == "missing_customer_id"
    assert eda.largest_cut(ledger.assign(rows=[100, 0, 0, 100])) is None
