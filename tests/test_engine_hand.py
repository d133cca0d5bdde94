"""The engine on a log small enough to compute every answer by hand (DuckDB).

Customer 1 (United Kingdom): invoice 100 on Mon 2011-01-03 10:00 (X 2 x 5.00 and Y 1 x 4.00, the X line
twice: one exact duplicate), 101 on Thu 2011-03-10 12:00 (X 1 x 5.00), a return C102 on 2011-03-12
(X -1 x 5.00), 103 on Sat 2011-11-05 09:00 (Z 3 x 2.00). Customer 2 (France): invoices 200 and 201 on
Sat 2011-10-01 at 15:00 (Y 10 x 4.00) and 16:00 (Y 1 x 4.00). One line breaks each other rule. The
analysis ends on 2011-11-30 (day number 15308).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.engine import EngineConfig, open_log

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

ROWS = [  # InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
    ("100", "X", 2, "2011-01-03 10:00", 5.0, "1", "United Kingdom"),
    ("100", "Y", 1, "2011-01-03 10:00", 4.0, "1", "United Kingdom"),
    ("100", "X", 2, "2011-01-03 10:00", 5.0, "1", "United Kingdom"),  # duplicate_line (10.00)
    ("101", "X", 1, "2011-03-10 12:00", 5.0, "1", "United Kingdom"),
    ("C102", "X", -1, "2011-03-12 11:00", 5.0, "1", "United Kingdom"),  # cancellation, a return (-5.00)
    ("103", "Z", 3, "2011-11-05 09:00", 2.0, "1", "United Kingdom"),
    ("200", "Y", 10, "2011-10-01 15:00", 4.0, "2", "France"),
    ("201", "Y", 1, "2011-10-01 16:00", 4.0, "2", "France"),
    ("300", "X", 1, "2011-05-01 10:00", 7.0, None, "United Kingdom"),  # missing_customer_id
    ("301", "POST", 1, "2011-05-02 10:00", 18.0, "2", "France"),  # non_product_code
    ("302", "X", 1, "2011-05-03 10:00", 0.0, "2", "France"),  # non_positive_price
    ("303", "X", 1, "2011-12-05 10:00", 5.0, "1", "United Kingdom"),  # after_end_date
    ("304", "X", 20_000, "2011-06-01 10:00", 1.0, "1", "United Kingdom"),  # outlier
]
END = "2011-11-30"


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    frame = pd.DataFrame(ROWS, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice",
                                        "CustomerID", "Country"])
    frame["Description"] = "ITEM " + frame["StockCode"]
    frame["Quantity"] = frame["Quantity"].astype(float)
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    path = tmp_path_factory.mktemp("hand") / "log.parquet"
    frame.to_parquet(path, index=False)
    config = EngineConfig(non_product_codes=("POST",), end_date=END)
    with open_log(path, config=config) as session:
        yield session


def test_ledger_counts_every_line_once(log):
    ledger = log.ledger.set_index("reason")
    assert ledger.loc["rows_in", "rows"] == 13 and log.rows_in == 13
    assert ledger.loc["rows_kept", "rows"] == 6 and ledger.loc["rows_kept", "revenue"] == pytest.approx(69.0)
    for reason in ("duplicate_line", "cancellation", "missing_customer_id", "non_product_code",
                   "non_positive_price", "after_end_date", "outlier"):
        assert ledger.loc[reason, "rows"] == 1, reason
    assert ledger.loc["duplicate_line", "revenue"] == pytest.approx(10.0)
    assert ledger.loc["cancellation", "revenue"] == pytest.approx(-5.0)
    assert ledger.loc["rows_in", "revenue"] == pytest.approx(69.0 + 10 - 5 + 7 + 18 + 0 + 5 + 20_000)
    assert log.end_date == pd.Timestamp(END) and log.last_date == pd.Timestamp("2011-11-05 09:00")


def test_features_at_the_end_date(log):
    f = log.customer_features()
    one, two = f.loc["1"], f.loc["2"]
    assert (one["Recency"], one["Frequency"], one["Tenure"]) == (25, 3, 331)
    assert one["Monetary"] == pytest.approx(20.0)  # 25 bought - 5 returned
    assert one["PurchaseVelocity"] == pytest.approx(306 / 2)
    assert one["AvgOrderValue"] == pytest.approx(25 / 3) and one["ReturnRate"] == pytest.approx(0.2)
    assert one["UniqueProducts"] == 3 and one["PeakSeasonShare"] == pytest.approx(6 / 25) and not one["PeakSeason"]
    assert one["Frequency_90d"] == 1 and one["Monetary_90d"] == pytest.approx(6.0)
    assert one["OrdersPerMonthRecentVsOverall"] == pytest.approx((1 / 90) / (3 / 332))
    assert one["Country"] == "United Kingdom"
    assert one["FirstPurchase"] == pd.Timestamp("2011-01-03") and one["LastPurchase"] == pd.Timestamp("2011-11-05")
    assert (two["Recency"], two["Frequency"], two["Tenure"]) == (60, 2, 60)
    assert two["PurchaseVelocity"] == 60.0  # one order day: max(Tenure, 1)
    assert two["PeakSeasonShare"] == 1.0 and two["PeakSeason"] and two["Country"] == "France"
    assert two["OrdersPerMonthRecentVsOverall"] == pytest.approx(1.0)


def test_features_at_several_cutoffs_in_one_query(log):
    table = log.customer_features_at(["2011-03-11", "2011-01-03", "2011-10-01"])
    assert list(table["cutoff"].unique()) == [pd.Timestamp(d) for d in ("2011-01-03", "2011-03-11", "2011-10-01")]
    first = table[table["cutoff"] == "2011-01-03"].set_index("CustomerID")
    assert list(first.index) == ["1"] and first.loc["1", "Recency"] == 0 and first.loc["1", "Monetary"] == 14.0
    march = table[table["cutoff"] == "2011-03-11"].set_index("CustomerID").loc["1"]
    assert march["Frequency"] == 2 and march["Monetary"] == 19.0 and march["ReturnRate"] == 0.0  # return: 12 March
    windowed = log.customer_features_at(["2011-11-30"], window_days=61).set_index("CustomerID")
    assert windowed.loc["2", "Tenure"] == 60 and windowed.loc["1", "Frequency"] == 1  # only invoice 103
    assert windowed.loc["1", "UniqueProducts"] == 1 and windowed.loc["1", "Tenure"] == 25


def test_churn_labels_and_examples(log):
    labels = log.churn_labels_at(["2011-10-01", "2011-10-10"], 30, data_end=END)
    got = {(c.strftime("%m-%d"), k): v for c, k, v in labels.itertuples(index=False)}
    assert got == {("10-01", "1"): 1, ("10-01", "2"): 1, ("10-10", "1"): 0, ("10-10", "2"): 1}
    series = log.churn_labels("2011-10-10", 30, data_end=END)
    assert series.name == "churned" and series.to_dict() == {"1": 0, "2": 1}
    examples = log.churn_examples(["2011-10-10"], 30, data_end=END)
    assert list(examples.columns[:2]) == ["CustomerID", "cutoff"] and examples.columns[-1] == "churned"
    assert examples["churned"].tolist() == [0, 1] and examples["Frequency"].tolist() == [2, 2]
    with pytest.raises(ValueError, match="label window after the cutoff 2011-11-01 runs to 2011-12-01"):
        log.churn_labels("2011-11-01", 30, data_end=END)
    with pytest.raises(ValueError, match="No customer has a purchase on or before the cutoff 2010-12-31"):
        log.churn_labels("2010-12-31", 30, data_end=END)


def test_btyd_summaries_in_days_and_weeks(log):
    days = log.rfm_summary(END, unit="D")
    assert days.loc["1"].tolist() == [2, 306.0, 331.0, 5.5]
    assert days.loc["2"].tolist() == [0, 0.0, 60.0, 0.0]
    weeks = log.rfm_summary(END, unit="W")
    assert weeks.loc["1", "T"] == pytest.approx(331 / 7)
    split = log.calibration_holdout_summary("2011-03-31", END, unit="D")
    assert list(split.index) == ["1"]  # customer 2 first buys in the holdout
    assert split.loc["1", "frequency"] == 1 and split.loc["1", "frequency_holdout"] == 1
    assert split.loc["1", "monetary_value_holdout"] == 6.0 and split.loc["1", "duration_holdout"] == 244


def test_purchase_days_grain(log):
    """One row per customer and purchase day with the day's kept revenue (duplicates, returns, outliers out)."""
    grain = log.purchase_days()
    assert list(grain.columns) == ["CustomerID", "day", "value"]
    assert grain.to_dict("list") == {"CustomerID": ["1", "1", "1", "2"], "day": [14977, 15043, 15283, 15248],
                                     "value": [14.0, 5.0, 6.0, 44.0]}  # 2011-01-03, 03-10, 11-05; 10-01 (200 + 201)
    assert grain["day"].dtype == np.int64 and grain["value"].dtype == np.float64
    window = log.purchase_days("2011-03-10", "2011-10-01")
    assert window[["CustomerID", "day"]].values.tolist() == [["1", 15043], ["2", 15248]]
    with pytest.raises(ValueError, match="is after end"):
        log.purchase_days("2011-10-02", "2011-10-01")


def test_eda_aggregates(log):
    eda = log.eda
    monthly = eda.monthly_activity().set_index("month")
    assert monthly["revenue"].tolist() == [14.0, 5.0, 44.0, 6.0]
    assert monthly["orders"].tolist() == [1, 1, 2, 1]
    assert monthly["new_customers"].tolist() == [1, 0, 1, 0]
    grid = eda.weekday_hour_orders()
    assert grid.loc["Monday", 10] == 1 and grid.loc["Saturday", 15] == 1 and grid.to_numpy().sum() == 5
    countries = eda.top_countries(1)
    assert countries["country"].tolist() == ["France", "All other countries"]
    assert countries["revenue_share"].tolist() == pytest.approx([44 / 69, 25 / 69])
    products = eda.top_products(2)
    assert products["stock_code"].tolist() == ["Y", "X"] and products["units"].tolist() == [12, 3]
    assert products["customers"].tolist() == [2, 1] and products["description"].tolist() == ["ITEM Y", "ITEM X"]
    cohorts = eda.cohort_retention()
    january = cohorts.loc[pd.Timestamp("2011-01-01")]
    assert january["customers"] == 1 and january[2] == 1.0 and january[1] == 0.0 and january[10] == 1.0
    october = cohorts.loc[pd.Timestamp("2011-10-01")]
    assert october[1] == 0.0 and np.isnan(october[2])  # after the last month: unknown
    h = eda.headline()
    assert (h["orders"], h["customers"], h["revenue"]) == (5, 2, 69.0)
    assert h["median_order_value"] == 6.0 and h["mean_order_value"] == pytest.approx(13.8)
    assert h["one_time_share"] == 0.0 and h["peak_month"] == pd.Timestamp("2011-10-01")
    assert h["orders_with_time"] == 5
    assert eda.large_orders(10.0) == {"orders": 2, "revenue": 54.0}  # invoices 100 (14.00) and 200 (40.00)


def test_facts_about_the_input_and_the_kept_lines(log):
    assert log.input_first_date == pd.Timestamp("2011-01-03 10:00")
    assert log.input_last_date == pd.Timestamp("2011-12-05 10:00")  # the line after the end date counts here
    assert log.input_columns == {"InvoiceNo": True, "StockCode": True, "Description": True, "Country": True}
    assert log.kept_facts() == {"customers": 2, "some_customer": "1", "purchase_days": 4, "c_orders": 0,
                                "c_order_example": None, "repeated_lines": 0}


def test_histograms_bin_like_numpy(log):
    values = log.eda.order_value_histogram(n_bins=4)  # orders worth 4, 5, 6, 14, 40
    edges = np.logspace(np.log10(4), np.log10(40), 5)
    edges[0], edges[-1] = 4, 40  # exact ends, as the report's log histograms
    expected, _ = np.histogram([4, 5, 6, 14, 40], bins=edges)
    assert values["orders"].tolist() == expected.tolist() and values["left"].iloc[0] == 4.0
    assert values["right"].iloc[-1] == 40.0
    lines = log.eda.basket_size_histogram(n_bins=2)  # orders of 2, 1, 1, 1 and 1 product lines
    assert lines["left"].tolist() == [1.0, 2.0] and lines["right"].tolist() == [2.0, 3.0]
    assert lines["orders"].tolist() == [4, 1]


def test_clean_lines_and_returns_are_written_as_parquet(log, tmp_path):
    paths = log.write_clean(tmp_path)
    kept = pd.read_parquet(paths["transactions"])
    back = pd.read_parquet(paths["returns"])
    assert len(kept) == 6 and kept["Revenue"].sum() == 69.0 and kept["Quantity"].dtype == np.int64
    assert kept["InvoiceNo"].tolist() == ["100", "100", "101", "200", "201", "103"]  # by time
    assert back["InvoiceNo"].tolist() == ["C102"] and back["Revenue"].tolist() == [-5.0]


def test_orders_all_worth_the_same_get_one_decade_of_bins(lines):
    frame = lines([("1", "A", 2, "2011-01-03 10:00", 5.0, "1"), ("2", "A", 2, "2011-02-03 10:00", 5.0, "2")])
    with open_log(frame, layout="canonical") as same:  # a frame in memory is read where it is
        bins = same.eda.order_value_histogram(n_bins=4)
    assert bins["orders"].sum() == 2 and bins["left"].iloc[0] == 10.0 and bins["right"].iloc[-1] == 100.0
    assert (bins["right"] > bins["left"]).all()
