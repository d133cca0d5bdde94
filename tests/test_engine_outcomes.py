"""A campaign's outcomes in the engine (:meth:`retention.engine.Session.window_purchases`), computed by hand.

Customers 1, 2, 3 and 5 are followed from 2011-06-01 with a 60-day window (2011-06-02 .. 2011-07-31); customer 6
from 2011-07-01 (window to 2011-08-30). Customer 4 buys in the window but is not followed.

* 1: a purchase the day before (history), one on the send day at 18:00 (history, not outcome), invoice a3 on the
  first day of the window (two lines: 30 + 5), a return in the window (not netted), a4 on the window's last day
  at 23:59 (40), a5 one minute into day 61 (after the window) -> 2 orders, 75.00, first order 35.00;
* 2: only after the window -> nothing;
* 3: one purchase of 15.00 inside;
* 5: two invoices at the same minute (b2 10.00, b10 20.00): the first order is the lower InvoiceNo, b10;
* 6: a later send date: the purchase of 2011-06-15 is before it, the one of 2011-08-30 the window's last day.
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from retention.engine import EngineConfig, open_log

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

ROWS = [  # InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID
    ("a1", "X", 1, "2011-05-31 10:00", 10.0, "1"),
    ("a2", "X", 1, "2011-06-01 18:00", 20.0, "1"),
    ("a3", "X", 1, "2011-06-02 09:00", 30.0, "1"),
    ("a3", "Y", 1, "2011-06-02 09:00", 5.0, "1"),
    ("C109", "X", -1, "2011-06-20 09:00", 30.0, "1"),
    ("a4", "X", 1, "2011-07-31 23:59", 40.0, "1"),
    ("a5", "X", 1, "2011-08-01 00:01", 50.0, "1"),
    ("b1", "X", 1, "2011-05-01 10:00", 9.0, "2"),
    ("b1x", "X", 1, "2011-08-15 10:00", 70.0, "2"),
    ("g1", "X", 1, "2011-05-02 10:00", 8.0, "3"),
    ("g2", "X", 1, "2011-06-10 10:00", 15.0, "3"),
    ("d1", "X", 1, "2011-06-10 10:00", 99.0, "4"),
    ("b2", "X", 1, "2011-06-05 12:00", 10.0, "5"),
    ("b10", "X", 1, "2011-06-05 12:00", 20.0, "5"),
    ("e1", "X", 1, "2011-06-15 12:00", 11.0, "6"),
    ("e2", "X", 1, "2011-08-30 12:00", 12.0, "6"),
    ("z1", "X", 1, "2011-09-30 12:00", 1.0, "4"),
]
SENT = pd.Series(pd.to_datetime(["2011-06-01", "2011-06-01", "2011-06-01", "2011-06-01", "2011-07-01"]),
                 index=pd.Index(["1", "2", "3", "5", "6"], name="CustomerID"))
EXPECTED = pd.DataFrame({"orders": [2, 0, 1, 2, 1], "revenue": [75.0, 0.0, 15.0, 30.0, 12.0],
                         "first_order_revenue": [35.0, 0.0, 15.0, 20.0, 12.0]},
                        index=pd.Index(["1", "2", "3", "5", "6"], dtype="string", name="CustomerID"))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    frame = pd.DataFrame(ROWS, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"])
    frame["Description"] = "ITEM " + frame["StockCode"]
    frame["Country"] = "United Kingdom"
    frame["Quantity"] = frame["Quantity"].astype(float)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    path = tmp_path_factory.mktemp("outcomes") / "log.parquet"
    frame.to_parquet(path, index=False)
    return path


def test_outcomes_count_only_purchases_strictly_after_the_send_day_and_within_the_window(files):
    with open_log(files) as log:
        got = log.window_purchases(SENT, 60)
        pd.testing.assert_frame_equal(got, EXPECTED)
        one_day = log.window_purchases(SENT, 1)  # only 2011-06-02 (and 2011-07-02 for customer 6)
        assert one_day["orders"].to_list() == [1, 0, 0, 0, 0] and one_day.loc["1", "revenue"] == 35.0
        # the order of the customers asked is kept; customers never seen get zeros
        again = log.window_purchases(pd.Series(pd.to_datetime(["2011-06-01"] * 2), index=["5", "404"]), 60)
        assert again.index.to_list() == ["5", "404"] and again["orders"].to_list() == [2, 0]


def test_bad_windows_are_errors(files):
    with open_log(files) as log:
        with pytest.raises(ValueError, match="past the end of the data"):
            log.window_purchases(SENT, 100)
        with pytest.raises(ValueError, match="whole number"):
            log.window_purchases(SENT, 0)
        with pytest.raises(ValueError, match="twice"):
            log.window_purchases(pd.Series(pd.to_datetime(["2011-06-01"] * 2), index=["1", "1"]), 10)


@pytest.mark.skipif(os.environ.get("RETENTION_SPARK") != "1",
                    reason="Spark tests run with RETENTION_SPARK=1 (make test-spark)")
def test_spark_agrees_with_the_hand_computed_outcomes(files):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java is missing: apt-get install -y openjdk-17-jre-headless (make test-spark does)")
    from retention.engine import spark_session

    spark = spark_session("local[2]")
    with open_log(files, config=EngineConfig(), engine="spark", spark=spark) as log:
        pd.testing.assert_frame_equal(log.window_purchases(SENT, 60), EXPECTED)
