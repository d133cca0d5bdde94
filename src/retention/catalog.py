"""The data flow of the series, declared once: every product, the step that writes it, the steps that read it.

A *product* is a file in the profile's output folder (``reports/`` or ``reports/<profile>/``). A *step* is
``retention prepare`` or one notebook; it declares the products it reads and writes and the params keys it
depends on. From these declarations:

* :func:`makefile_rules` generates the notebooks' dependencies for ``make`` (``work/dag.mk``): a notebook
  depends on the runs of the steps whose products it reads, and on its own params stamp, so a change
  anywhere reruns exactly the steps that depend on it, and ``make -j2`` never starts a step before what it
  reads exists;
* :func:`write_param_stamps` writes one small JSON per step with the values of the params keys it reads
  (and, for steps that write customer ids, whether ids are pseudonymised), rewritten only when they change,
  so editing a params key reruns only the steps that read it, and switching pseudonymisation on or off
  reruns every step that writes ids.

The notebooks hand products on through :mod:`retention.pipeline` by the names declared here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retention.io import write_text_atomic
from retention.privacy import id_salt

__all__ = ["Product", "Step", "PRODUCTS", "STEPS", "NOTEBOOK_STEPS", "step", "producer", "upstream", "downstream",
           "params_view", "privacy_state", "param_stamp_path", "write_param_stamps", "makefile_rules"]


@dataclass(frozen=True)
class Product:
    """A file one step writes into the output folder (``path`` is relative to it; ``*`` matches a family).

    ``per_customer`` tables have one row per customer and are handed on indexed by ``CustomerID``.
    """

    name: str
    path: str
    has_ids: bool = False
    description: str = ""
    per_customer: bool = False


@dataclass(frozen=True)
class Step:
    """``prepare`` or a notebook: what it reads, what it writes, which params keys it depends on.

    ``params`` holds dotted keys (``churn.horizon_days``) or whole sections (``churn``).
    """

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    params: tuple[str, ...]
    notebook: bool = True

    @property
    def writes_ids(self) -> bool:
        return any(PRODUCTS[p].has_ids for p in self.writes)


def _products(*items: Product) -> dict[str, Product]:
    return {p.name: p for p in items}


PRODUCTS: dict[str, Product] = _products(
    # prepare: the clean lines, once per profile
    Product("prepared.info", "work/prepared.json", description="run info: dates, counts, notes of the loader"),
    Product("prepared.transactions", "work/transactions.parquet", has_ids=True, description="clean purchase lines"),
    Product("prepared.returns", "work/returns.parquet", has_ids=True, description="returned lines"),
    Product("cleaning_ledger", "artifacts/cleaning_ledger.csv", description="every line kept or dropped, by rule"),
    # 02 segments
    Product("segments.customers", "work/segments_customers.parquet", has_ids=True, per_customer=True,
            description="features, RFM scores, segment and cluster per customer"),
    Product("customer_segments", "artifacts/customer_segments.csv", has_ids=True,
            description="segment, RFM scores, cluster and key features of every customer (the report's full list)"),
    Product("segment_migration", "artifacts/segment_migration.csv", description="customers per segment move"),
    Product("high_value_at_risk", "artifacts/high_value_at_risk.csv", has_ids=True,
            description="high spenders in the at-risk segments"),
    Product("segment_lists", "artifacts/segment_*.csv", has_ids=True,
            description="one list per segment named in segmentation.export_segments"),
    # 03 churn
    Product("churn.customers", "work/churn_customers.parquet", has_ids=True, per_customer=True,
            description="live churn probability, risk band and reasons per customer"),
    Product("churn.previous", "work/churn_previous.parquet", has_ids=True, per_customer=True,
            description="churn probabilities one horizon earlier (the validation cutoff: the previous period)"),
    Product("churn_metrics", "artifacts/churn_metrics.csv", description="out-of-time metrics per candidate"),
    Product("churn_predictions", "artifacts/churn_predictions.csv", has_ids=True,
            description="churn probability, band and reasons per customer"),
    Product("churn_summary", "artifacts/churn_summary.json", description="the churn model's key numbers"),
    # 04 customer value
    Product("value.customers", "work/value_customers.parquet", has_ids=True, per_customer=True,
            description="CLV forecast columns (C1) with intervals per customer"),
    Product("value.previous", "work/value_previous.parquet", has_ids=True, per_customer=True,
            description="the value columns one churn horizon earlier (the previous period)"),
    Product("value.draws", "work/value_draws.parquet", has_ids=True, per_customer=True,
            description="parameter draws of each customer's expected revenue if alive"),
    Product("forecast_backtest", "artifacts/forecast_backtest.csv", description="rolling-origin backtest scorecard"),
    Product("cohort_value", "artifacts/cohort_value_curves.csv", description="cumulative margin per cohort, "
                                                                          "observed and forecast"),
    Product("value_summary", "artifacts/value_summary.json", description="the value model's key numbers"),
    # 05 experiments
    Product("experiments.customers", "work/experiments_customers.parquet", has_ids=True, per_customer=True,
            description="predicted uplift per customer"),
    Product("experiment_effects", "artifacts/experiment_effects.csv", description="measured effects with intervals"),
    Product("experiment_summary", "artifacts/experiment_summary.json",
            description="the measured uplift, its interval and the learners' scores"),
    # 06 campaigns and the decision
    Product("decision.customers", "work/decision_customers.parquet", has_ids=True, per_customer=True,
            description="base, at risk, value at stake, expected loss and action per customer"),
    Product("enhanced_customer_data", "artifacts/enhanced_customer_data.csv", has_ids=True,
            description="every per-customer column of the series, joined"),
    Product("roi_analysis", "artifacts/roi_analysis.csv", description="economics of every option evaluated"),
    Product("campaign_targets", "artifacts/campaign_targets.csv", has_ids=True,
            description="the recommended action's target list"),
    Product("what_if_grid", "artifacts/what_if_grid.csv", description="net profit, ROI, P(loss) per what-if"),
    Product("experiment_assignment", "artifacts/experiment_assignment.csv", has_ids=True,
            description="seeded, stratified test/control assignment for the recommended campaign"),
    Product("decision", "artifacts/decision.json", description="the recommended action and why"),
    Product("kpis", "artifacts/kpis.json", description="headline KPIs now and one period earlier"),
    # 07 summary
    Product("executive_summary", "work/executive_summary.json", description="the summary's narrative"),
)

_PREPARED = ("prepared.info", "prepared.transactions", "prepared.returns")

STEPS: dict[str, Step] = {s.name: s for s in (
    Step("prepare", reads=(), writes=(*_PREPARED, "cleaning_ledger"),
         params=("data", "cleaning", "generator", "churn.horizon_days", "churn.n_train_cutoffs",
                 "churn.spacing_days", "churn.min_history_days", "clv.holdout_days"), notebook=False),
    Step("01_eda", reads=(*_PREPARED, "cleaning_ledger"), writes=(),
         params=("data.currency", "eda.top_n")),
    Step("02_segmentation", reads=_PREPARED,
         writes=("segments.customers", "customer_segments", "segment_migration", "high_value_at_risk",
                 "segment_lists"),
         params=("data.currency", "data.source", "data.path", "features.peak_months", "segmentation", "report")),
    Step("03_churn_model", reads=("prepared.info",),
         writes=("churn.customers", "churn.previous", "churn_metrics", "churn_predictions", "churn_summary"),
         params=("data.currency", "data.source", "data.path", "features.peak_months", "churn", "clv.time_unit",
                 "clv.seasonal", "report")),
    Step("04_customer_value", reads=("prepared.info", "segments.customers"),
         writes=("value.customers", "value.previous", "value.draws", "forecast_backtest", "cohort_value",
                 "value_summary"),
         params=("data.currency", "data.source", "data.path", "clv", "churn.horizon_days", "decision.horizon_months",
                 "decision.offer_months", "roi.economics", "report")),
    Step("05_experiments", reads=("prepared.info", "segments.customers", "value.customers"),
         writes=("experiments.customers", "experiment_effects", "experiment_summary"),
         params=("data.currency", "data.source", "data.path", "experiment", "features.peak_months",
                 "segmentation.rules", "roi.economics", "churn.horizon_days", "churn.risk_bands", "report")),
    Step("06_campaigns",
         reads=(*_PREPARED, "segments.customers", "churn.customers", "churn.previous", "value.customers",
                "value.previous", "value.draws", "experiments.customers", "experiment_effects", "experiment_summary"),
         writes=("decision.customers", "enhanced_customer_data", "roi_analysis", "campaign_targets", "what_if_grid",
                 "experiment_assignment", "decision", "kpis"),
         params=("data.currency", "data.source", "data.path", "churn.horizon_days", "roi", "decision", "experiment",
                 "report")),
    Step("07_executive_summary", reads=("prepared.info", "decision", "kpis", "segments.customers",
                                        "churn.customers", "decision.customers"),
         writes=("executive_summary",), params=("data.currency",)),
)}

NOTEBOOK_STEPS: tuple[str, ...] = tuple(name for name, s in STEPS.items() if s.notebook)


def step(name: str) -> Step:
    """The declared step ``name`` (a notebook stem or ``prepare``)."""
    try:
        return STEPS[name]
    except KeyError:
        raise KeyError(f"unknown step {name!r}; declared: {list(STEPS)}") from None


def producer(product: str) -> str:
    """The one step that writes ``product``."""
    writers = [s.name for s in STEPS.values() if product in s.writes]
    if len(writers) != 1:
        raise ValueError(f"product {product!r} must have exactly one writer, has {writers}")
    return writers[0]


def upstream(name: str) -> list[str]:
    """The steps whose products ``name`` reads directly, in series order."""
    wanted = {producer(p) for p in step(name).reads}
    return [s for s in STEPS if s in wanted]


def downstream(name: str) -> list[str]:
    """``name`` and every step that reads, directly or not, what it writes (series order)."""
    found = {name}
    for other in STEPS:  # series order: a reader always comes after its writers
        if found & set(upstream(other)):
            found.add(other)
    return [s for s in STEPS if s in found]


def _lookup(params: Mapping[str, Any], dotted: str) -> Any:
    value: Any = params
    for part in dotted.split("."):
        value = value[part]
    return value


def _plain(params: Any) -> Mapping[str, Any]:
    """A typed :class:`retention.config.Params` as a plain nested dict (JSON values); a mapping as it is."""
    return params.model_dump(mode="json") if hasattr(params, "model_dump") else params


def params_view(params: Any, keys: Iterable[str]) -> dict[str, Any]:
    """The values of ``keys`` (dotted keys or sections) in ``params``, keyed by the dotted name."""
    plain = _plain(params)
    return {key: _lookup(plain, key) for key in sorted(keys)}


def privacy_state(params: Any) -> dict[str, Any]:
    """Whether customer ids are pseudonymised, and a fingerprint that changes with the salt (never the salt)."""
    salt = id_salt(_plain(params))
    if not salt:
        return {"pseudonymised": False}
    fingerprint = hashlib.sha256(f"retention-salt-fingerprint:{salt}".encode()).hexdigest()[:12]
    return {"pseudonymised": True, "salt_fingerprint": fingerprint}


def param_stamp_path(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / "work" / "params" / f"{name}.json"


def _stamp_text(params: Any, s: Step) -> str:
    payload: dict[str, Any] = {"params": params_view(params, s.params)}
    if s.writes_ids:
        payload["customer_ids"] = privacy_state(params)
    return json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"


def write_param_stamps(params: Any, out_dir: str | Path) -> list[str]:
    """Write each notebook step's params stamp when its content changed; return the steps rewritten."""
    changed = []
    for name in NOTEBOOK_STEPS:
        target = param_stamp_path(out_dir, name)
        text = _stamp_text(params, STEPS[name])
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            write_text_atomic(text, target)
            changed.append(name)
    return changed


def makefile_rules(out: str = "$(OUT)") -> str:
    """The notebooks' data-flow dependencies as make rules (``work/dag.mk``), generated from the catalog."""
    lines = ["# Generated by `retention dag` from src/retention/catalog.py: do not edit.",
             f"SERIES := {' '.join(NOTEBOOK_STEPS)}",
             f"DAG_STAMPS := {' '.join(f'{out}/work/params/{n}.json' for n in NOTEBOOK_STEPS)}"]
    for name in NOTEBOOK_STEPS:
        deps = [f"{out}/notebooks/{u}.ipynb" for u in upstream(name) if STEPS[u].notebook]
        reads = ", ".join(p for p in step(name).reads if STEPS[producer(p)].notebook)
        if reads:
            lines.append(f"# {name} reads {reads}")
        lines.append(f"{out}/notebooks/{name}.ipynb: {' '.join([f'{out}/work/params/{name}.json', *deps])}")
    return "\n".join(lines) + "\n"
