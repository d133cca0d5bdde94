"""Every per-line computation of the series, written once and run by DuckDB (default) or Spark.

The cleaning rules and their ledger (:mod:`~retention.engine.cleaning`), the customer features at one or many
cutoffs (:mod:`~retention.engine.features`, columns described in :mod:`retention.features`), the churn labels
and training examples (:mod:`~retention.engine.labels`), the BTYD summaries and their calibration/holdout
split (:mod:`~retention.engine.btyd`) and the EDA aggregates (:mod:`~retention.engine.eda`, read by
:mod:`retention.eda`) are `Ibis
<https://ibis-project.org>`_ expressions over abstract tables. Ibis compiles each to SQL text for DuckDB
or Spark SQL, which the engine's own client runs (:mod:`~retention.engine.runners`), so lines never
leave the engine: only per-customer or aggregate tables come back to pandas. Ibis is used as a
compiler only; its DuckDB *backend* is not needed.

Use::

    with open_log("data/canonical/", config=EngineConfig(non_product_codes=("POST",))) as log:
        log.ledger                                   # the cleaning ledger
        log.customer_features_at(["2011-06-30", "2011-09-30"])
        log.churn_examples(cutoffs, horizon_days=90)
        log.rfm_summary(unit="W")
        log.eda.monthly_activity()
        log.write_clean("out/work")                  # kept lines and returns as Parquet

:func:`customer_table` is the one-call feature step (features + BG/NBD summary + ledger) on DuckDB or Spark;
:func:`differences` lists where two results disagree. There is no pandas path: the engine's definitions are
tested against small hand-computed expectations.

Modules: :mod:`~retention.engine.config` (options), :mod:`~retention.engine.inputs` (files, layouts),
:mod:`~retention.engine.sql` (Ibis helpers, day numbers, work-table schemas), :mod:`~retention.engine.lines`
(input rows -> canonical lines), :mod:`~retention.engine.cleaning` (rules, ledger),
:mod:`~retention.engine.grains` (small work tables), :mod:`~retention.engine.features`,
:mod:`~retention.engine.labels`, :mod:`~retention.engine.btyd`, :mod:`~retention.engine.eda` (the
definitions), :mod:`~retention.engine.plan` (their SQL), :mod:`~retention.engine.runners` (DuckDB,
Spark), :mod:`~retention.engine.session` and :mod:`~retention.engine.aggregates` (running them),
:mod:`~retention.engine.api` (one-call customer table).
"""

from retention.engine.api import CustomerTable, compile_sql, customer_table, differences, frame_differences
from retention.engine.config import ENGINES, EngineConfig
from retention.engine.inputs import input_files
from retention.engine.runners import spark_session
from retention.engine.session import NothingKept, Session, open_log

__all__ = [
    "ENGINES",
    "CustomerTable",
    "EngineConfig",
    "NothingKept",
    "Session",
    "compile_sql",
    "customer_table",
    "differences",
    "frame_differences",
    "input_files",
    "open_log",
    "spark_session",
]
