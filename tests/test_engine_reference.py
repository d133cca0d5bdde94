"""The engine's outputs against each other on a realistic log (DuckDB); the values are hand-checked elsewhere.

Every per-line computation exists only in the engine (hand-computed tests: ``tests/test_engine_hand.py``,
``tests/test_features.py``, ``tests/test_churn.py``, ``tests/test_clv.py``). Here the ledger and clean lines
of the canonical dataset read from Parquet must equal those of the same lines handed over in memory
(:func:`retention.cleaning.clean_transactions`), the features at many cutoffs in one query those of one query
per cutoff, the examples the features joined with the labels, and the calibration summary the plain summary.
Floats to 1e-9; datetime columns are compared as values (the resolution of a day timestamp is not a difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention import churn, data
from retention.cleaning import clean_transactions
from retention.engine import EngineConfig, NothingKept, open_log
from retention.generator import GeneratorConfig, generate

pytest.importorskip("ibis")
pytest.importorskip("duckdb")

CODES = ("POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST")
CONFIG = EngineConfig(non_product_codes=CODES)
SORT = ["InvoiceDate", "InvoiceNo", "StockCode", "CustomerID", "Description", "Quantity", "UnitPrice", "Country"]


def same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """assert_frame_equal to 1e-9, with datetime columns and index at one resolution."""
    def ns(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].astype("datetime64[ns]")
        if isinstance(frame.index, pd.DatetimeIndex):
            frame.index = frame.index.astype("datetime64[ns]")
        return frame

    pd.testing.assert_frame_equal(ns(expected), ns(got), check_exact=False, rtol=1e-9, atol=1e-9, check_freq=False)


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    """A generated log through the loader: the canonical dataset as Parquet, and its pandas cleaning."""
    folder = tmp_path_factory.mktemp("reference")
    raw = generate(GeneratorConfig(n_customers=1500, seed=11)).transactions
    text = raw.to_csv(index=False, lineterminator="\n").splitlines()
    (folder / "log.csv").write_text("\n".join([*text[:500], ",,,,,,,", text[0], *text[500:]]) + "\n")
    loaded = data.load(folder / "log.csv")
    loaded.transactions.to_parquet(folder / "canonical.parquet", index=False)
    cleaned = clean_transactions(loaded.transactions, non_product_codes=CODES, pre_dropped=loaded.dropped)
    return folder, loaded, cleaned


@pytest.fixture(scope="module")
def session(canonical):
    folder, loaded, _ = canonical
    with open_log(folder / "canonical.parquet", config=CONFIG, pre_dropped=loaded.dropped) as log:
        yield log


def test_ledger_and_clean_lines_equal_the_cleaning_rules(canonical, session, tmp_path):
    _, loaded, cleaned = canonical
    same(cleaned.ledger, session.ledger)
    assert session.ledger.set_index("reason").loc[["blank_line", "repeated_header"], "rows"].tolist() == [1, 1]
    assert session.end_date == cleaned.end_date and session.rows_kept == cleaned.rows_kept
    paths = session.write_clean(tmp_path)
    kept = pd.read_parquet(paths["transactions"])
    back = pd.read_parquet(paths["returns"])
    expected = cleaned.transactions.sort_values(SORT, kind="stable").reset_index(drop=True)
    same(expected.astype(kept.dtypes.to_dict()), kept)
    expected = cleaned.returns.sort_values(SORT, kind="stable").reset_index(drop=True)
    same(expected.astype(back.dtypes.to_dict()), back)


@pytest.mark.parametrize("options", [{}, {"window_days": 120, "peak_months": (11, 12)}])
def test_features_at_many_cutoffs_equal_the_features_at_each(canonical, session, options):
    """One query over many cutoffs (distinct products from the first-purchase days) = one query per cutoff."""
    _, _, cleaned = canonical
    cutoffs = [pd.Timestamp("2011-03-31"), pd.Timestamp("2011-07-15"), cleaned.end_date]
    table = session.customer_features_at(cutoffs, **options)
    assert table["cutoff"].is_monotonic_increasing
    for cutoff in cutoffs:
        got = table[table["cutoff"] == cutoff].drop(columns="cutoff").set_index("CustomerID")
        same(session.customer_features(cutoff, **options), got)


def test_churn_examples_join_the_features_and_labels_of_each_cutoff(canonical, session):
    _, _, cleaned = canonical
    end = cleaned.end_date
    for window in (None, 150):
        design = churn.ChurnDesign(feature_window_days=window)
        plan = churn.plan_cutoffs(session.first_date, end, design)
        got = session.churn_examples(plan.labelled, design.horizon_days, window_days=window, data_end=end)
        assert got["cutoff"].is_monotonic_increasing and not got.duplicated(["cutoff", "CustomerID"]).any()
        for cutoff in plan.labelled:
            rows = got[got["cutoff"] == cutoff].set_index("CustomerID")
            found = session.customer_features(cutoff, window_days=window)
            labels = session.churn_labels(cutoff, design.horizon_days, data_end=end)
            assert rows.index.equals(found.index.intersection(labels.index))
            same(found.loc[rows.index], rows[found.columns])
            assert rows["churned"].equals(labels.loc[rows.index].rename("churned"))
    with pytest.raises(ValueError, match="runs to"):
        session.churn_labels(end, 30)


def test_calibration_holdout_summary_is_the_summary_at_the_calibration_end(session):
    end = session.end_date
    for unit in ("D", "W"):
        split = session.calibration_holdout_summary("2011-08-31", end, unit=unit, start="2011-02-01")
        summary = session.rfm_summary("2011-08-31", unit=unit, start="2011-02-01")
        same(summary, split[summary.columns])
        assert (split["duration_holdout"] * (7 if unit == "W" else 1)).round(9).eq((end - pd.Timestamp(
            "2011-08-31")).days).all()
    with pytest.raises(ValueError, match="must be after calibration_end"):
        session.calibration_holdout_summary(end, "2011-08-31")


def test_a_dataset_without_optional_columns(tmp_path):
    """No StockCode, Description or Country, and no InvoiceNo: one order per customer and day."""
    raw = generate(GeneratorConfig(n_customers=300, seed=5)).transactions
    raw = raw.drop(columns=["StockCode", "Description", "Country", "InvoiceNo"])
    raw.to_csv(tmp_path / "log.csv", index=False)
    loaded = data.load(tmp_path / "log.csv")
    assert not loaded.line_identity
    loaded.transactions.drop(columns=["StockCode", "Description", "Country", "InvoiceNo"]).to_parquet(
        tmp_path / "canonical.parquet", index=False)
    cleaned = clean_transactions(loaded.transactions, detect_duplicates=False)
    with open_log(tmp_path / "canonical.parquet") as log:
        assert not log.detect_duplicates and not log.has_codes
        same(cleaned.ledger, log.ledger)
        got = log.customer_features()
        days = log.purchase_days()
        # without InvoiceNo an order is a customer's purchase day
        assert got["Frequency"].to_dict() == days.groupby("CustomerID").size().to_dict()
        assert got["UniqueProducts"].isna().all() and got["Country"].isna().all()
        assert log.eda.top_countries().empty and log.eda.top_products().empty


def test_errors_name_the_cutoff_and_the_problem(session, tmp_path):
    with pytest.raises(ValueError, match="No customer has a transaction on or before the cutoff 2009-01-01"):
        session.customer_features("2009-01-01")
    with pytest.raises(ValueError, match="cutoffs is empty"):
        session.churn_examples([], 90)
    with pytest.raises(ValueError, match="peak_months"):
        session.customer_features(peak_months=(13,))
    frame = pd.DataFrame({"InvoiceNo": ["C1"], "StockCode": ["A"], "Quantity": [2.0], "UnitPrice": [3.0],
                          "InvoiceDate": pd.to_datetime(["2011-01-01"]), "CustomerID": ["7"]})
    frame.to_parquet(tmp_path / "c_order.parquet", index=False)
    with open_log(tmp_path / "c_order.parquet") as log:  # a 'C' invoice that adds units is an order
        assert log.rows_kept == 1 and log.kept_facts()["c_orders"] == 1
    frame.assign(InvoiceNo="C1", Quantity=-2.0, UnitPrice=0.0).to_parquet(tmp_path / "nothing.parquet", index=False)
    with pytest.raises(NothingKept, match="no purchase line is left") as nothing:
        open_log(tmp_path / "nothing.parquet")
    assert nothing.value.ledger.set_index("reason").loc["cancellation", "rows"] == 1
    assert np.isclose(session.ledger["share_of_rows"].iloc[0], 1.0)
