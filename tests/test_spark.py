"""The engine's definitions run unchanged on Apache Spark (local mode) and agree with DuckDB.

Slow (a JVM starts): skipped unless ``RETENTION_SPARK=1``; ``make test-spark`` installs pyspark and
Java and runs it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from retention.engine import EngineConfig, customer_table, differences, spark_session
from retention.generator import GeneratorConfig, generate

pytestmark = pytest.mark.skipif(os.environ.get("RETENTION_SPARK") != "1",
                                reason="Spark tests run with RETENTION_SPARK=1 (make test-spark)")

CODES = ("POST", "DOT", "M", "D", "C2", "CRUK", "BANK CHARGES", "AMAZONFEE", "B", "S", "PADS", "ADJUST")
CONFIG = EngineConfig(non_product_codes=CODES)


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


@pytest.mark.parametrize("name", ["log.parquet", "log.csv"])
def test_spark_equals_duckdb_column_by_column(spark, files, name):
    duck = customer_table(files / name, config=CONFIG, engine="duckdb")
    sparked = customer_table(files / name, config=CONFIG, engine="spark", spark=spark)
    assert differences(duck, sparked) == []
    assert sparked.engine == "spark" and len(sparked.features) == 2000


def test_spark_with_cutoff_window_and_weeks(spark, files):
    options = {"config": CONFIG, "window_days": 120, "unit": "W", "end_date": "2011-09-30"}
    duck = customer_table(files / "log.parquet", "2011-07-15", engine="duckdb", **options)
    sparked = customer_table(files / "log.parquet", "2011-07-15", engine="spark", spark=spark, **options)
    assert differences(duck, sparked) == []
    # the session's own time zone is left as it was
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
