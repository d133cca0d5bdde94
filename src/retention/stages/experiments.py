"""Stage 05: what a past campaign really did (measured against a random control group) and who responds.

The test's assignment comes from ``experiment.results`` (a CSV: CustomerID, group, sent_at, campaign) or, on the
generated data, from the campaign the generator ran; without either the stage says so and predicts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from retention import experiments
from retention.paths import resolve
from retention.stages.context import Context

__all__ = ["ExperimentsResult", "run"]

LEARNER = "T-learner"


@dataclass(frozen=True)
class ExperimentsResult:
    """Everything the experiments report shows (``present`` False: no test to read)."""

    info: dict[str, Any]
    currency: str
    present: bool
    source: str | None                       # the results file read
    notes: tuple[str, ...]
    assignment: pd.DataFrame | None
    outcomes: pd.DataFrame | None
    effects: pd.DataFrame | None
    uplift: experiments.MeasuredUplift | None
    predicted_uplift: pd.Series              # experiments.customers (NaN without a test)
    summary: dict[str, Any]                  # experiment_summary.json
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)


def _results_file(ctx: Context) -> Path | None:
    configured = ctx.params.experiment.results
    if configured:
        return resolve(configured)
    if ctx.params.data.source == "generated":
        data = resolve(ctx.params.data.path)
        campaign = data.with_name(f"{data.stem}_campaign.csv")
        return campaign if campaign.exists() else None
    return None


def _absent(ctx: Context, info: dict[str, Any], customers: pd.Index, why: str) -> ExperimentsResult:
    predicted = pd.Series(np.nan, index=customers, name="predicted_uplift")
    summary = {"present": False, "campaign": None, "sent_at": None, "outcome_days": ctx.params.experiment.outcome_days,
               "n_treatment": None, "n_control": None, "uplift": None, "learner": None,
               "qini_share_of_oracle": None, "note": why}
    ctx.write("experiments.customers", predicted.to_frame())
    ctx.write("experiment_effects", pd.DataFrame({"note": [why]}))
    ctx.write("experiment_summary", summary)
    return ExperimentsResult(info=info, currency=ctx.currency, present=False, source=None, notes=(why,),
                             assignment=None, outcomes=None, effects=None, uplift=None, predicted_uplift=predicted,
                             summary=summary)


def run(ctx: Context) -> ExperimentsResult:
    """Measure the past campaign's effect with intervals and predict each customer's uplift."""
    info = ctx.read("prepared.info")
    customers = ctx.read("segments.customers").index
    file = _results_file(ctx)
    if file is None:
        return _absent(ctx, info, customers, "No campaign test to read: set experiment.results to the assignment "
                                             "file of a past campaign (CustomerID, group, sent_at, campaign).")
    e = ctx.params.experiment
    tx = ctx.read("prepared.transactions")
    results = experiments.read_results(file, known_ids=customers, first_date=info["first_date"],
                                       end_date=info["end_date"], outcome_days=e.outcome_days, name=str(file))
    assignment = results.assignment
    outcomes = experiments.campaign_outcomes(tx, assignment, outcome_days=e.outcome_days)
    economics = ctx.params.roi.economics
    effects = experiments.measure_effects(outcomes, alpha=e.alpha, margin=economics.margin)
    uplift = experiments.measured_uplift(effects, alpha=e.alpha)
    peak = tuple(ctx.params.features.peak_months)
    features = experiments.send_date_features(tx, assignment, peak_months=peak)
    train = assignment.set_index("CustomerID").loc[features.index]
    bought = outcomes.loc[features.index, "purchased"].astype(int)
    learner = experiments.make_learner(LEARNER, random_state=e.seed).fit(
        features.to_numpy(), (train["group"] == "treatment").to_numpy(), bought.to_numpy())
    now = ctx.log.customer_features(info["end_date"], peak_months=peak)[list(experiments.UPLIFT_FEATURES)]
    predicted = pd.Series(learner.predict_uplift(now.to_numpy()), index=now.index, name="predicted_uplift")
    predicted = predicted.reindex(customers)
    ctx.write("experiments.customers", predicted.to_frame())
    ctx.write("experiment_effects", effects)
    summary = {"present": True, "campaign": str(assignment["campaign"].iloc[0]) if "campaign" in assignment else None,
               "sent_at": str(pd.Timestamp(assignment["sent_at"].min()).date()), "outcome_days": e.outcome_days,
               "n_treatment": uplift.n_treatment, "n_control": uplift.n_control,
               "uplift": {"estimate": uplift.estimate, "low": uplift.ci_low, "high": uplift.ci_high},
               "learner": LEARNER, "qini_share_of_oracle": None, "note": uplift.sentence()}
    ctx.write("experiment_summary", summary)
    return ExperimentsResult(info=info, currency=ctx.currency, present=True, source=str(file), notes=results.notes,
                             assignment=assignment, outcomes=outcomes, effects=effects, uplift=uplift,
                             predicted_uplift=predicted, summary=summary)
