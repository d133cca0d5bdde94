"""Stage 01 on a small generated profile: engine aggregates only, and sentences that say what the data shows."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import prepared_profile

from retention import eda, stages


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eda")
    params, out = prepared_profile(folder, n_customers=300, seed=3)
    return stages.run("01_eda", str(params), out)


def test_the_result_holds_every_table_from_the_engine(result):
    h = result.headline
    assert h["customers"] == 300 == result.info["customers"] and h["orders"] == result.monthly["orders"].sum()
    assert result.monthly["revenue"].sum() == pytest.approx(h["revenue"])
    assert result.order_values["orders"].sum() == h["orders"] == result.basket_lines["orders"].sum()
    assert result.weekday_hour.to_numpy().sum() == h["orders"] and result.has_times
    assert result.ledger["rows"].iloc[0] == result.info["rows_in"] and result.largest_cut is not None
    assert result.countries is not None and result.products is not None and len(result.products) == 10
    assert 0 < result.next_month.weighted < 1 and result.next_month.customers <= h["customers"]


def test_the_first_screen_states_the_lever_the_peak_and_the_cleaning(result):
    text = result.in_short
    assert text.startswith("300 customers placed ") and result.info["currency"] == "GBP" and "£" in text
    assert "bought again in the month after their first order" in text and "largest cut is “" in text
    assert ("Most customers" in text) == (result.headline["one_time_share"] >= 0.5)


def test_wholesale_is_said_only_when_the_data_shows_it(result):
    dull = dataclasses.replace(result, large_orders=eda.LargeOrders(threshold=500.0, orders=3, order_share=0.001,
                                                                    revenue_share=0.02))
    assert "wholesale" not in dull.large_orders_sentence and "rare" in dull.large_orders_sentence
    heavy = dataclasses.replace(result, large_orders=eda.LargeOrders(threshold=500.0, orders=40, order_share=0.01,
                                                                     revenue_share=0.35))
    assert "wholesale-sized" in heavy.large_orders_sentence
    none = dataclasses.replace(result, large_orders=eda.LargeOrders(500.0, 0, 0.0, 0.0))
    assert none.large_orders_sentence is None
    assert dataclasses.replace(result, big_spenders=result.big_spenders.iloc[:0]).big_spenders_sentence is None
    big = pd.DataFrame({"country": ["Netherlands"], "customers": [1], "revenue_per_customer": [9000.0],
                        "multiple": [6.2]})
    said = dataclasses.replace(result, big_spenders=big).big_spenders_sentence
    assert said.startswith("Customers in Netherlands spend 6 times") and "1 customer)" in said


def test_the_next_month_rate_is_weighted_and_the_plain_mean_follows_when_it_differs(result):
    same = dataclasses.replace(result, next_month=eda.NextMonthRepeat(0.15, 0.1549, 4, 100))
    assert "plain average" not in same.repeat_note and "4 cohorts" in same.repeat_note
    skewed = dataclasses.replace(result, next_month=eda.NextMonthRepeat(0.149, 0.111, 4, 23_502))
    assert "plain average of the cohorts' rates is 11.1%" in skewed.repeat_note
