"""Stage 03: who will not buy again within the churn horizon, how sure we are, and why.

Examples (features before each cutoff, labels after it) come from the engine; candidates and baselines are
compared out of time; the best on the decision metric is refitted on every labelled cutoff and scores every
customer as of the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from retention import churn
from retention.report.formatting import currency_symbol
from retention.stages.context import Context

__all__ = ["ChurnResult", "run"]


@dataclass(frozen=True)
class ChurnResult:
    """Everything the churn report shows."""

    info: dict[str, Any]
    currency: str
    horizon_days: int
    plan: churn.CutoffPlan
    train: pd.DataFrame
    valid: pd.DataFrame
    comparison: Any                  # churn.compare_models(...) result: models, evaluation, selection
    threshold: Any                   # churn.ThresholdChoice
    table: pd.DataFrame              # validation metrics per candidate at the threshold, ranked
    live: pd.DataFrame               # live features of every customer scored
    predictions: pd.DataFrame        # churn.customers
    summary: dict[str, Any]          # churn_summary.json
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def shipped(self) -> str:
        return self.comparison.selection.shipped


def _design(ctx: Context) -> churn.ChurnDesign:
    cp = ctx.params.churn
    return churn.ChurnDesign(horizon_days=cp.horizon_days, n_train_cutoffs=cp.n_train_cutoffs,
                             spacing_days=cp.spacing_days, min_history_days=cp.min_history_days,
                             feature_window_days=cp.feature_window_days,
                             peak_months=tuple(ctx.params.features.peak_months))


def _examples(ctx: Context, tx: pd.DataFrame, cutoffs: list[pd.Timestamp], design: churn.ChurnDesign,
              end: pd.Timestamp, unit: str) -> pd.DataFrame:
    found = ctx.log.churn_examples(cutoffs, design.horizon_days, peak_months=design.peak_months,
                                   window_days=design.feature_window_days, data_end=end)
    return churn.add_btyd_features(found, tx, design.horizon_days, unit=unit)


def _summary(result_parts: dict[str, Any]) -> dict[str, Any]:
    plan, table, selection, choice = (result_parts[k] for k in ("plan", "table", "selection", "choice"))
    metrics = [c for c in ("roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1",
                           "lift_top_decile") if c in table.columns]
    return {
        "horizon_days": result_parts["H"], "validation_cutoff": str(plan.validation.date()),
        "train_cutoffs": [str(c.date()) for c in plan.train], "threshold": round(float(choice.threshold), 6),
        "production_model": selection.shipped, "selection": selection.to_dict(),
        "validation": {m: {k: round(float(v), 6) for k, v in table.loc[m, metrics].items()} for m in table.index},
    }


def run(ctx: Context) -> ChurnResult:
    """Compare the candidates out of time, ship the best, score every customer as of the end."""
    info = ctx.read("prepared.info")
    tx = ctx.read("prepared.transactions")
    cp, unit = ctx.params.churn, ctx.params.clv.time_unit
    end = pd.Timestamp(info["end_date"])
    design = _design(ctx)
    plan = churn.plan_cutoffs(pd.Timestamp(info["first_date"]), end, design)
    train = _examples(ctx, tx, list(plan.train), design, end, unit)
    valid = _examples(ctx, tx, [plan.validation], design, end, unit)
    comparison = churn.compare_models(train, valid, seed=cp.seed, cv_folds=cp.cv_folds, calibration=cp.calibration,
                                      production_model=cp.production_model)
    selection, fitted = comparison.selection, comparison.models
    production = selection.shipped
    choice = churn.choose_threshold(train[churn.TARGET], churn.training_predictions(fitted[production], train),
                                    comparison.evaluation.y_true, comparison.evaluation.probabilities[production],
                                    cp.cost_missed_churner, cp.cost_wasted_offer)
    table = comparison.evaluation.at_threshold(choice.threshold).table.loc[selection.table.index]
    previous = pd.DataFrame({"churn_probability": comparison.evaluation.probabilities[production].to_numpy()},
                            index=pd.Index(valid["CustomerID"].to_numpy(), name="CustomerID"))
    ctx.write("churn.previous", previous)

    labelled = pd.concat([train, valid], ignore_index=True)
    live_model = churn.refit(production, labelled, cp.seed, cp.cv_folds, calibration=cp.calibration,
                             like=fitted[production])
    live = churn.add_btyd_features(ctx.log.customer_features(plan.live, peak_months=design.peak_months,
                                                             window_days=design.feature_window_days),
                                   tx, design.horizon_days, unit=unit, cutoff=plan.live)
    proba = churn.predict_churn(live_model, live)
    explainer = production if production.startswith(churn.EXPLAINABLE_MODEL) else churn.EXPLAINABLE_MODEL
    lr = live_model if explainer == production else churn.refit(
        explainer, labelled, cp.seed, cp.cv_folds, calibration=cp.calibration, like=fitted[explainer])
    predictions = pd.DataFrame({
        "churn_probability": proba.round(6), "risk_band": churn.risk_band(proba, tuple(cp.risk_bands)).astype(str),
        "top_reasons": churn.top_reasons(lr, live, n=2, currency=currency_symbol(ctx.currency)),
        "model": production}, index=live.index)
    ctx.write("churn.customers", predictions)
    ctx.write("churn_metrics", table.join(selection.table[["role", "rank", "shipped"]]).round(6).reset_index())
    export = predictions.join(live[["Recency", "Frequency", "Monetary"]]).sort_values(
        ["churn_probability"], ascending=False, kind="stable")
    ctx.write("churn_predictions", export)
    summary = _summary({"plan": plan, "table": table, "selection": selection, "choice": choice,
                        "H": design.horizon_days})
    ctx.write("churn_summary", summary)
    return ChurnResult(info=info, currency=ctx.currency, horizon_days=design.horizon_days, plan=plan, train=train,
                       valid=valid, comparison=comparison, threshold=choice, table=table, live=live,
                       predictions=predictions, summary=summary)
