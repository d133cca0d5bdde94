"""Engine outputs against the pandas functions that still exist for the other libraries (DuckDB).

The customer features (:func:`retention.features.customer_features`), the churn labels and examples and the
BTYD summaries still have pandas versions that the churn, CLV and experiments libraries call; until they go,
the engine must equal them. The cleaning rules and the EDA aggregates exist only in the engine (their tests are
hand-computed: ``tests/test_engine_hand.py``); here the ledger and clean lines of the canonical dataset read
from Parquet must equal those of the same lines handed over in memory (:func:`retention.cleaning.clean_transactions`).
Floats to 1e-9; datetime columns are compared as values (the resolution of a day timestamp is not a difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention import churn, clv, data, features
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
def test_features_at_many_cutoffs_equal_customer_features_at_each(canonical, session, options):
    _, _, cleaned = canonical
    cutoffs = [pd.Timestamp("2011-03-31"), pd.Timestamp("2011-07-15"), cleaned.end_date]
    table = session.customer_features_at(cutoffs, **options)
    assert table["cutoff"].is_monotonic_increasing
    for cutoff in cutoffs:
        expected = features.customer_features(cleaned.transactions, cutoff, returns=cleaned.returns, **options)
        got = table[table["cutoff"] == cutoff].drop(columns="cutoff").set_index("CustomerID")
        same(expected, got)


def test_churn_labels_and_examples_equal_the_churn_module(canonical, session):
    _, _, cleaned = canonical
    tx, end = cleaned.transactions, cleaned.end_date
    for window in (None, 150):
        design = churn.ChurnDesign(feature_window_days=window)
        plan = churn.plan_cutoffs(tx["InvoiceDate"].min(), end, design)
        expected = churn.build_examples(tx, plan.labelled, design, returns=cleaned.returns, data_end=end)
        got = session.churn_examples(plan.labelled, design.horizon_days, window_days=window, data_end=end)
        same(expected, got)
    expected = churn.churn_labels(tx, plan.validation, 60)
    pd.testing.assert_series_equal(expected, session.churn_labels(plan.validation, 60))
    with pytest.raises(ValueError, match="runs to") as caught:
        churn.churn_labels(tx, end, 30)
    with pytest.raises(ValueError, match="runs to") as engine_caught:
        session.churn_labels(end, 30)
    assert str(caught.value) == str(engine_caught.value)


@pytest.mark.parametrize("unit", ["D", "W"])
def test_btyd_summaries_equal_the_clv_module(canonical, session, unit):
    _, _, cleaned = canonical
    tx, end = cleaned.transactions, cleaned.end_date
    same(clv.rfm_summary(tx, end, unit=unit), session.rfm_summary(end, unit=unit))
    same(clv.rfm_summary(tx, unit=unit), session.rfm_summary(unit=unit))
    same(clv.rfm_summary(tx, unit=unit, start="2011-04-01"), session.rfm_summary(unit=unit, start="2011-04-01"))
    same(clv.calibration_holdout_summary(tx, "2011-08-31", end, unit=unit),
         session.calibration_holdout_summary("2011-08-31", end, unit=unit))
    same(clv.calibration_holdout_summary(tx, "2011-08-31", end, unit=unit, start="2011-02-01"),
         session.calibration_holdout_summary("2011-08-31", end, unit=unit, start="2011-02-01"))
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
        same(features.customer_features(cleaned.transactions, cleaned.end_date, returns=cleaned.returns), got)
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
