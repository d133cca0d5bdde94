"""The engine's definitions run unchanged on Apache Spark (local mode) and agree with DuckDB on every output.

Slow (a JVM starts): skipped unless ``RETENTION_SPARK=1``; ``make test-spark`` installs pyspark and
Java and runs it. Floats agree to 1e-9, everything else exactly.
"""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from retention.engine import EngineConfig, customer_table, differences, frame_differences, open_log, spark_session
from retention.generator import GeneratorConfig, generate

pytestmark = pytest.mark.skipif(os.environ.get("RETENTION_SPARK") != "1",
                                reason="Spark tests run with RETENTION_SPARK=1 (make test-spark)")

CODES = ("POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST")
CONFIG = EngineConfig(non_product_codes=CODES)
CUTOFFS = ["2011-03-31", "2011-07-15", "2011-09-01"]


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    pytest.importorskip("ibis")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java is missing: apt-get install -y openjdk-17-jre-headless (make test-spark does)")
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    log = generate(GeneratorConfig(n_customers=2000, seed=3)).transactions
    folder = tmp_path_factory.mktemp("spark")
    log.to_parquet(folder / "log.parquet", index=False)
    log.to_csv(folder / "log.csv", index=False, lineterminator="\n")
    return folder


@pytest.fixture(scope="module")
def both(spark, files):
    with open_log(files / "log.parquet", config=CONFIG) as duck, \
            open_log(files / "log.parquet", config=CONFIG, engine="spark", spark=spark) as sparked:
        yield duck, sparked


def agree(name: str, a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert frame_differences(name, a, b) == []


@pytest.mark.parametrize("name", ["log.parquet", "log.csv"])
def test_customer_table_on_spark_equals_duckdb(spark, files, name):
    duck = customer_table(files / name, config=CONFIG, engine="duckdb")
    sparked = customer_table(files / name, config=CONFIG, engine="spark", spark=spark)
    assert differences(duck, sparked) == []
    assert sparked.engine == "spark" and len(sparked.features) == 2000


def test_customer_table_with_cutoff_window_and_weeks(spark, files):
    options = {"config": CONFIG, "window_days": 120, "unit": "W", "end_date": "2011-09-30"}
    duck = customer_table(files / "log.parquet", "2011-07-15", engine="duckdb", **options)
    sparked = customer_table(files / "log.parquet", "2011-07-15", engine="spark", spark=spark, **options)
    assert differences(duck, sparked) == []
    # the session's own time zone is left as it was
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_ledger_features_labels_and_examples(both):
    duck, sparked = both
    agree("ledger", duck.ledger, sparked.ledger)
    assert (duck.end_date, duck.first_date, duck.last_date) == (sparked.end_date, sparked.first_date,
                                                                sparked.last_date)
    agree("features", duck.customer_features_at(CUTOFFS), sparked.customer_features_at(CUTOFFS))
    options = {"window_days": 90, "peak_months": (11, 12)}
    agree("windowed", duck.customer_features_at(CUTOFFS, **options), sparked.customer_features_at(CUTOFFS, **options))
    agree("labels", duck.churn_labels_at(CUTOFFS, 60), sparked.churn_labels_at(CUTOFFS, 60))
    agree("examples", duck.churn_examples(CUTOFFS, 60), sparked.churn_examples(CUTOFFS, 60))


@pytest.mark.parametrize("unit", ["D", "W"])
def test_btyd_summaries(both, unit):
    duck, sparked = both
    agree("rfm", duck.rfm_summary(unit=unit), sparked.rfm_summary(unit=unit))
    agree("rfm start", duck.rfm_summary("2011-10-31", unit=unit, start="2011-02-01"),
          sparked.rfm_summary("2011-10-31", unit=unit, start="2011-02-01"))
    agree("holdout", duck.calibration_holdout_summary("2011-08-31", "2011-11-30", unit=unit),
          sparked.calibration_holdout_summary("2011-08-31", "2011-11-30", unit=unit))


def test_purchase_days(both):
    duck, sparked = both
    agree("purchase days", duck.purchase_days(), sparked.purchase_days())
    agree("purchase days window", duck.purchase_days("2011-02-01", "2011-10-31"),
          sparked.purchase_days("2011-02-01", "2011-10-31"))


def test_eda_aggregates(both):
    duck, sparked = both
    a, b = duck.eda, sparked.eda
    agree("monthly", a.monthly_activity(), b.monthly_activity())
    agree("weekday_hour", a.weekday_hour_orders(), b.weekday_hour_orders())
    agree("countries", a.top_countries(4), b.top_countries(4))
    agree("products", a.top_products(10), b.top_products(10))
    agree("cohorts", a.cohort_retention(), b.cohort_retention())
    agree("order values", a.order_value_histogram(), b.order_value_histogram())
    agree("basket sizes", a.basket_size_histogram(), b.basket_size_histogram())
    h, g = a.headline(), b.headline()
    assert h.keys() == g.keys()
    for key, value in h.items():
        assert g[key] == pytest.approx(value, rel=1e-9) if isinstance(value, float) else g[key] == value, key


def test_clean_lines_and_returns(both, tmp_path):
    duck, sparked = both
    ours = duck.write_clean(tmp_path / "duck")
    theirs = sparked.write_clean(tmp_path / "spark")
    for name in ("transactions", "returns"):
        a, b = pd.read_parquet(ours[name]), pd.read_parquet(theirs[name])
        assert len(a) == len(b) and list(a.columns) == list(b.columns)
        keys = [c for c in a.columns if c != "Revenue"]
        a = a.sort_values(keys, kind="stable").reset_index(drop=True)
        b = b.astype(a.dtypes.to_dict()).sort_values(keys, kind="stable").reset_index(drop=True)
        agree(name, a, b)


def _series(folder, engine: str):
    """prepare and every stage of the catalog on a small generated profile, with the given engine."""
    from conftest import prepared_profile

    from retention import catalog, stages

    folder.mkdir()
    shared = {"path": str(folder.parent / "log.csv")}  # one generated log for both engines
    params, out = prepared_profile(folder, {"engine": {"name": engine}, "data": shared})
    for step in catalog.NOTEBOOK_STEPS:
        stages.run(step, str(params), out)
    return out / "artifacts"


def test_the_whole_series_on_spark_writes_the_duckdb_artifacts(spark, tmp_path):
    """A user who outgrows one machine points the same params at Spark and gets the same CSVs and JSON."""
    duck = _series(tmp_path / "duckdb", "duckdb")
    sparked = _series(tmp_path / "spark", "spark")
    names = sorted(p.name for p in duck.iterdir())
    assert names == sorted(p.name for p in sparked.iterdir()) and len(names) >= 15
    for name in names:
        if name.endswith(".csv"):
            agree(name, pd.read_csv(duck / name, dtype={"CustomerID": str}),
                  pd.read_csv(sparked / name, dtype={"CustomerID": str}))
        else:
            assert (duck / name).read_bytes() == (sparked / name).read_bytes(), name
