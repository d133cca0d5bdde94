"""The purchase-day grain the purchase models' seasonal calendar needs (``Session.purchase_days``), by hand and on
Spark.

The hand log of ``test_engine_hand.py`` (its docstring tells the story): customer 1 buys on 2011-01-03 (X 2 x 5.00
and Y 1 x 4.00 = 14.00; the duplicate X line is dropped), 2011-03-10 (5.00; the return two days later is not a
purchase) and 2011-11-05 (6.00); customer 2 buys twice on 2011-10-01 (40.00 + 4.00 = one purchase day of 44.00).
The lines without a customer, after the end date, with a fee code, a zero price or an outlier quantity are not
purchases.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from retention import clv
from retention.engine import EngineConfig, open_log

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

ROWS = [  # InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
    ("100", "X", 2, "2011-01-03 10:00", 5.0, "1", "United Kingdom"),
    ("100", "Y", 1, "2011-01-03 10:00", 4.0, "1", "United Kingdom"),
    ("100", "X", 2, "2011-01-03 10:00", 5.0, "1", "United Kingdom"),  # duplicate_line
    ("101", "X", 1, "2011-03-10 12:00", 5.0, "1", "United Kingdom"),
    ("C102", "X", -1, "2011-03-12 11:00", 5.0, "1", "United Kingdom"),  # a return
    ("103", "Z", 3, "2011-11-05 09:00", 2.0, "1", "United Kingdom"),
    ("200", "Y", 10, "2011-10-01 15:00", 4.0, "2", "France"),
    ("201", "Y", 1, "2011-10-01 16:00", 4.0, "2", "France"),
    ("300", "X", 1, "2011-05-01 10:00", 7.0, None, "United Kingdom"),  # missing_customer_id
    ("301", "POST", 1, "2011-05-02 10:00", 18.0, "2", "France"),  # non_product_code
    ("302", "X", 1, "2011-05-03 10:00", 0.0, "2", "France"),  # non_positive_price
    ("303", "X", 1, "2011-12-05 10:00", 5.0, "1", "United Kingdom"),  # after_end_date
    ("304", "X", 20_000, "2011-06-01 10:00", 1.0, "1", "United Kingdom"),  # outlier
]
CONFIG = EngineConfig(non_product_codes=("POST",), end_date="2011-11-30")
EXPECTED = pd.DataFrame({"CustomerID": pd.array(["1", "1", "1", "2"], dtype="string"),
                         "date": pd.to_datetime(["2011-01-03", "2011-03-10", "2011-11-05", "2011-10-01"]),
                         "value": [14.0, 5.0, 6.0, 44.0]})


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    frame = pd.DataFrame(ROWS, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice",
                                        "CustomerID", "Country"])
    frame["Description"] = "ITEM " + frame["StockCode"]
    frame["Quantity"] = frame["Quantity"].astype(float)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    target = tmp_path_factory.mktemp("days") / "log.parquet"
    frame.to_parquet(target, index=False)
    return target


@pytest.fixture(scope="module")
def log(path):
    with open_log(path, config=CONFIG) as session:
        yield session


def test_every_purchase_day_by_hand(log):
    found = log.purchase_days()
    pd.testing.assert_frame_equal(found, EXPECTED, check_dtype=False)
    assert str(found["CustomerID"].dtype) == "string" and found["date"].dtype.kind == "M"


def test_cutoff_and_start_bound_the_days(log):
    found = log.purchase_days("2011-10-01", start="2011-03-10")
    assert list(zip(found["CustomerID"], found["date"].dt.strftime("%Y-%m-%d"), strict=True)) == [
        ("1", "2011-03-10"), ("2", "2011-10-01")]
    with pytest.raises(ValueError, match="after cutoff"):
        log.purchase_days("2011-03-01", start="2011-04-01")


def test_the_days_make_the_same_summary_as_the_engine(log):
    days = clv.PurchaseDays.from_transactions(log.purchase_days(), date_col="date", value_col="value")
    cutoff = days.day_of("2011-11-30")
    by_days = days.summary(cutoff, unit="W")
    pd.testing.assert_frame_equal(by_days, log.rfm_summary("2011-11-30", unit="W"), check_dtype=False,
                                  check_index_type=False, check_names=False)
    assert by_days.loc["1", "frequency"] == 2 and by_days.loc["1", "T"] == pytest.approx(331 / 7)
    assert np.isclose(by_days.loc["1", "monetary_value"], 5.5)


@pytest.mark.skipif(os.environ.get("RETENTION_SPARK") != "1",
                    reason="Spark tests run with RETENTION_SPARK=1 (make test-spark)")
def test_spark_gives_the_same_days(path):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java is missing: apt-get install -y openjdk-17-jre-headless (make test-spark does)")
    from retention.engine import spark_session

    spark = spark_session("local[1]")
    try:
        with open_log(path, config=CONFIG, engine="spark", spark=spark) as session:
            pd.testing.assert_frame_equal(session.purchase_days(), EXPECTED, check_dtype=False)
    finally:
        spark.stop()
