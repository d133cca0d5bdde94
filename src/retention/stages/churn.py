"""Stage 03: who will not buy in the next ``horizon_days``, how sure we are, and why.

Examples (features before each cutoff, labels after it) and the purchase days behind the BTYD features come from
the engine (no line reaches pandas); every candidate and baseline is compared out of time; the best on the decision
metric is refitted on every labelled cutoff and scores every customer as of the end. On generated data the live
scores are checked against the generator's truth.

The module is over 400 lines on purpose: :class:`ChurnResult` carries the report's sentences as methods on its
own fields (about half the module), and moving them away from the fields they read would scatter one result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retention import churn
from retention.report.formatting import currency_symbol, day, number, pct, plural
from retention.report.labels import label
from retention.stages.context import Context

__all__ = ["ChurnResult", "run"]

_METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1", "lift_top_decile")


@dataclass(frozen=True)
class ChurnResult:
    """Everything the churn report shows.

    ``table`` is the out-of-time validation table (one row per model, ranked, metrics at the chosen threshold,
    ``role``/``rank``/``shipped``); ``margins`` the shipped model's margins over every baseline on the decision
    metric; ``curves`` the chart data of every model; ``customers`` the live scores as shown (shown ids, sorted by
    probability, the rows of ``churn_predictions.csv``); ``truth`` the live scores against the generator's truth
    (None on real data).
    """

    info: dict[str, Any]
    currency: str
    horizon_days: int
    plan: churn.CutoffPlan
    cutoffs: pd.DataFrame            # set, cutoff, customers, churn rate (nan live), calendar of the purchase model
    comparison: churn.ModelComparison
    table: pd.DataFrame
    margins: pd.DataFrame
    threshold: churn.ThresholdChoice
    confusion: pd.DataFrame          # at the chosen threshold, shipped model, validation customers
    curves: churn.Curves
    coefficients: pd.DataFrame       # the logistic regression's, as associations (with collinearity columns)
    importance: pd.DataFrame         # permutation importance of the best learned model on the validation customers
    importance_model: str
    hyperparameters: pd.DataFrame    # the grid values chosen per learned model
    purchase_model: pd.DataFrame     # BTYD model parameters and calendar per cutoff
    predictions: pd.DataFrame        # churn.customers
    customers: pd.DataFrame          # churn_predictions.csv as shown
    band_counts: pd.Series           # customers per risk band, Low..High
    histogram: pd.DataFrame          # customers per probability bin (lo, hi, customers, risk_band)
    truth: pd.DataFrame | None       # live scores against the generator's truth, per model
    truth_rate: float | None         # share who truly made no purchase in the horizon after the end
    summary: dict[str, Any]          # churn_summary.json
    max_table_rows: int
    feature_labels: dict[str, str]  # what each model feature is called in the report
    summary_bands: tuple[float, float] = (0.3, 0.6)
    warnings: tuple[str, ...] = ()  # what the libraries warned about (filled by stages.run_in)

    @property
    def shipped(self) -> str:
        return self.comparison.selection.shipped

    @property
    def selection(self) -> churn.Selection:
        return self.comparison.selection

    @property
    def metric(self) -> str:
        return self.comparison.selection.metric

    @property
    def baselines(self) -> list[str]:
        return [n for n in self.table.index if self.table.loc[n, "role"] == "baseline"]

    @property
    def best_baseline(self) -> str:
        return str(self.table.loc[self.baselines, self.metric].astype(float).idxmin())

    @property
    def validation_rate(self) -> float:
        return float(self.table.loc[self.shipped, "base_rate"])

    @property
    def validation_predicted(self) -> float:
        return float(self.threshold.calibration.loc["validation", "mean_predicted"])

    @property
    def expected_churners(self) -> float:
        """Expected number of customers making no purchase in the horizon (the sum of the probabilities)."""
        return float(self.predictions["churn_probability"].sum())

    @property
    def live_calendar(self) -> str:
        return str(self.cutoffs["calendar"].iloc[-1])

    def model_summary(self, name: str) -> str:
        """One plain sentence on what the model is."""
        return churn.MODELS[name].summary

    # -- the plain sentences of the report (their logic is tested) ----------------------------------------

    @property
    def metric_name(self) -> str:
        return {"brier": "Brier score", "log_loss": "log loss"}[self.metric]

    @property
    def metric_meaning(self) -> str:
        return {"brier": "the mean squared gap between the predicted chance and what happened, lower is better",
                "log_loss": "the penalty for confident wrong chances, lower is better"}[self.metric]

    @property
    def horizon_end(self) -> pd.Timestamp:
        return self.plan.live + pd.Timedelta(days=self.horizon_days)

    def headline(self) -> str:
        """The first screen's answer: how many will not buy, how many are at high risk, how sure we are."""
        n, mean = len(self.predictions), float(self.predictions["churn_probability"].mean())
        high, cut = int(self.band_counts.get("High", 0)), self.summary_bands[1]
        auc = float(self.table.loc[self.shipped, "roc_auc"])
        return (f"Of the {plural(n, 'customer')} who have bought so far, about {number(self.expected_churners)} "
                f"({pct(mean, 0)}) are expected to place no order in the next {self.horizon_days} days (to "
                f"{day(self.horizon_end)}); {plural(high, 'customer has', 'customers have')} a chance of at least "
                f"{pct(cut, 0)} of not buying. We checked the same method on {day(self.plan.validation)}, a date "
                f"none of the models had seen: it predicted {pct(self.validation_predicted, 0)} and "
                f"{pct(self.validation_rate, 0)} bought nothing in the {self.horizon_days} days after it, and it "
                f"placed a customer who did not buy above one who did {round(auc * 100):.0f} times in 100.")

    def selection_sentence(self) -> str:
        """Which score ships and why, with the margin over the best baseline."""
        shipped, table, metric = self.shipped, self.table, self.metric
        n = len(table)
        what = self.model_summary(shipped)
        if self.selection.pinned:
            why = (f"The params pin it; on {day(self.plan.validation)} the lowest error belonged to the "
                   f"{self.selection.winner}.")
        elif self.selection.shipped_is_baseline:
            why = (f"It had the lowest error on {day(self.plan.validation)} of the {n} scores compared (the "
                   f"{self.metric_name}: {self.metric_meaning}): none of the learned models beat it, so it ships as "
                   f"it is.")
        else:
            why = (f"It had the lowest error on {day(self.plan.validation)} of the {n} scores compared (the "
                   f"{self.metric_name}: {self.metric_meaning}).")
        others = [b for b in self.baselines if b != shipped]
        ahead = ""
        if others:
            best = min(others, key=lambda b: float(table.loc[b, metric]))
            name = "next best baseline" if self.selection.shipped_is_baseline else "best baseline"
            margin = self.margins.loc[best]
            verdict = "higher" if margin["margin"] >= 0 else "lower"
            ahead = (f" The {name}, the {best}, has a {self.metric_name} {abs(margin['margin']):.4f} {verdict} "
                     f"(standard error {margin['margin_se']:.4f}).")
            rule = churn.BASELINE_NAME
            if rule in others and rule != best:
                ahead += (f" The days-since-last-order rule's is {self.margins.loc[rule, 'margin']:.4f} "
                          f"{'higher' if self.margins.loc[rule, 'margin'] >= 0 else 'lower'}.")
        return f"The score that ships is the {shipped}: {what}. {why}{ahead}"

    def calendar_sentence(self) -> str:
        """What the shop's calendar did for today's scores (or why there is none)."""
        live = self.purchase_model.iloc[-1]
        if live["calendar"] == "none":
            return ("The purchase model runs on a flat calendar: the history does not show a seasonal pattern it "
                    "could use (a month-of-year pattern needs a full year of purchases from customers acquired "
                    "across the year).")
        intensity = float(live["window_intensity"])
        pace = "an average stretch" if abs(intensity - 1) < 0.03 else (
            f"{'a quieter' if intensity < 1 else 'a busier'} stretch than average "
            f"({abs(intensity - 1):.0%} {'fewer' if intensity < 1 else 'more'} purchases expected per day)")
        earlier = self.purchase_model.iloc[:-1]
        no_month = bool((~earlier["calendar"].str.contains("month")).all())
        checked = ""
        if no_month and "month" in live["calendar"]:
            truth = "; the appendix on the generator's truth shows what it was worth" if self.truth is not None else ""
            checked = (f" The earlier dates had less than a year of history, so their models saw weekdays at most: "
                       f"the check on {day(self.plan.validation)} could not test the month pattern{truth}.")
        return (f"Today's scores use the shop's calendar ({live['calendar']}) estimated from the purchases: the next "
                f"{self.horizon_days} days are {pace}.{checked}")

    def optimism_sentence(self) -> str:
        """How much being the best of several flatters the winner (bootstrap of the validation customers)."""
        selection, n = self.selection, len(self.table)
        raw, adjusted = selection.winner_score()
        share = f"the {selection.winner} comes out best in {pct(selection.win_share, 0)} of the resamples"
        if selection.optimism < 5e-5:
            return (f"Being the best of {n} could flatter a score by luck of the draw, but not here: resampling the "
                    f"validation customers, {share}, and the optimism of its {self.metric_name} is below 0.0001.")
        return (f"Being the best of {n} flatters a score: resampling the validation customers puts that optimism at "
                f"{selection.optimism:.4f} (the winner's {self.metric_name} {raw:.4f} would be about {adjusted:.4f} "
                f"on new customers), and {share}.")

    def cutoffs_sentence(self) -> str:
        """How the churn rate moved across the dates, and what the purchase model made of it."""
        rates = self.cutoffs["churn_rate"].dropna()
        low, high = float(rates.min()), float(rates.max())
        text = f"The churn rate moved between the dates ({pct(low, 0)} to {pct(high, 0)})"
        if (self.cutoffs["calendar"] == "none").all():
            return (text + ", but the purchase model found no calendar pattern this history can show (the last "
                    "column): no seasonal correction is made.")
        return (text + ": customers buy more in some seasons than in others, which is why the purchase model reads "
                "the shop's calendar where the history shows one (the last column; a month-of-year pattern needs a "
                "full year of history).")

    def threshold_sentence(self) -> str:
        """The contact threshold, called cheapest only where it was."""
        choice = self.threshold
        rows = choice.table
        chosen = rows.iloc[0]
        default = rows.loc["Default 0.5"]
        text = (f"Contacting every customer from a churn probability of {chosen['threshold']:.2f} was cheapest on "
                f"the training dates' customers (it flags {pct(chosen['train_flagged_share'], 0)} of them).")
        if chosen["validation_cost_per_customer"] <= default["validation_cost_per_customer"]:
            text += (f" On {day(self.plan.validation)} it also cost less than flagging from 0.5 "
                     f"({self._money(chosen['validation_cost_per_customer'])} against "
                     f"{self._money(default['validation_cost_per_customer'])} per customer).")
        else:
            text += (f" On {day(self.plan.validation)} it cost more than flagging from 0.5 "
                     f"({self._money(chosen['validation_cost_per_customer'])} against "
                     f"{self._money(default['validation_cost_per_customer'])} per customer): the churn rate moved "
                     f"between the dates, so it is not the cheapest rule there.")
        return text

    def truth_sentence(self) -> str:
        """Today's shipped scores against the generator's truth ("" on real data)."""
        if self.truth is None:
            return ""
        t, shipped = self.truth, self.shipped
        auc = float(self.table.loc[shipped, "roc_auc"])
        text = (f"Today's shipped scores rank customers with ROC-AUC {t.loc[shipped, 'roc_auc']:.3f} against the "
                f"truth ({auc:.3f} on the validation date) and predict {pct(t.loc[shipped, 'mean_predicted'], 0)} "
                f"where {pct(self.truth_rate, 0)} really bought nothing.")
        flat = f"{shipped}, flat calendar"
        if flat in t.index:
            gain = abs(t.loc[flat, "drift"]) - abs(t.loc[shipped, "drift"])
            text += (f" Without the shop's calendar the same model would predict "
                     f"{pct(t.loc[flat, 'mean_predicted'], 0)} (Brier score {t.loc[flat, 'brier']:.4f} instead of "
                     f"{t.loc[shipped, 'brier']:.4f}, ROC-AUC {t.loc[flat, 'roc_auc']:.3f}): the calendar "
                     f"{'removes' if gain >= 0 else 'adds'} {abs(gain) * 100:.0f} points of the gap between the "
                     f"predicted and the true share.")
        return text

    def _money(self, value: float) -> str:
        from retention.report.formatting import money

        return money(value, self.currency, 2)


def _design(ctx: Context) -> churn.ChurnDesign:
    cp = ctx.params.churn
    return churn.ChurnDesign(horizon_days=cp.horizon_days, n_train_cutoffs=cp.n_train_cutoffs,
                             spacing_days=cp.spacing_days, min_history_days=cp.min_history_days,
                             feature_window_days=cp.feature_window_days,
                             peak_months=tuple(ctx.params.features.peak_months))


def _cutoff_table(plan: churn.CutoffPlan, train: pd.DataFrame, valid: pd.DataFrame, live: pd.DataFrame,
                  btyd: dict[pd.Timestamp, churn.BTYDFeatures], first: pd.Timestamp) -> pd.DataFrame:
    rows = [(f"Training {i + 1}", c, train[train["cutoff"] == c]) for i, c in enumerate(plan.train)]
    rows += [("Validation", plan.validation, valid), ("Today (scored)", plan.live, None)]
    return pd.DataFrame({
        "set": [r[0] for r in rows], "cutoff": [r[1] for r in rows],
        "history_days": [int((r[1] - first).days) + 1 for r in rows],
        "customers": [len(r[2]) if r[2] is not None else len(live) for r in rows],
        "churn_rate": [float(r[2][churn.TARGET].mean()) if r[2] is not None else np.nan for r in rows],
        "calendar": [btyd[r[1]].calendar for r in rows],
    })


def _feature_labels(horizon: int) -> dict[str, str]:
    names = {f: label(f) for f in churn.MODEL_FEATURES}
    return {**names, "p_alive": "Chance still active (purchase model)",
            "p_no_purchase": f"Chance of no order in {horizon} days (purchase model)",
            "expected_purchases": f"Expected orders in {horizon} days (purchase model)"}


def _purchase_model_table(btyd: dict[pd.Timestamp, churn.BTYDFeatures], sets: pd.Series,
                          horizon: int) -> pd.DataFrame:
    rows = []
    for cutoff, found in btyd.items():
        rows.append({"set": sets[cutoff], "cutoff": cutoff, "model": found.forecast.label,
                     "calendar": found.calendar, "window_intensity": found.window_intensity(horizon),
                     "penalized": found.penalized, **found.parameters()})
    return pd.DataFrame(rows)


def _truth_table(truth: pd.DataFrame | None, horizon: int, scores: dict[str, pd.Series]
                 ) -> tuple[pd.DataFrame | None, float | None]:
    column = f"purchases_next_{horizon}d"
    if truth is None or column not in truth.columns:
        return None, None
    index = next(iter(scores.values())).index
    outcome = (truth[column].reindex(index) == 0)
    known = truth[column].reindex(index).notna().to_numpy()
    frame = pd.DataFrame({name: s.to_numpy()[known] for name, s in scores.items()})
    table = churn.against_outcomes(outcome.to_numpy()[known].astype(int), frame)
    return table, float(outcome[known].mean())


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    plan, table, selection, choice = (result[k] for k in ("plan", "table", "selection", "choice"))
    metrics = [c for c in _METRICS if c in table.columns]
    summary = {
        "horizon_days": result["H"], "validation_cutoff": str(plan.validation.date()),
        "train_cutoffs": [str(c.date()) for c in plan.train], "threshold": round(float(choice.threshold), 6),
        "production_model": selection.shipped, "selection": selection.to_dict(),
        "threshold_rule": {
            "chosen_on": "training cutoffs (out-of-fold for cross-validated models)",
            "validation_drift": round(float(choice.calibration.loc["validation", "drift"]), 6),
            "validation_cost_per_customer": {k: round(float(v), 6)
                                             for k, v in choice.table["validation_cost_per_customer"].items()}},
        "validation": {m: {k: round(float(v), 6) for k, v in table.loc[m, metrics].items()} for m in table.index},
        "purchase_model": {"model": churn.PURCHASE_MODEL, "seasonal_setting": str(result["seasonal"]),
                           "calendar": {str(c.date()): f.calendar for c, f in result["btyd"].items()}},
        "live": {"customers": int(len(result["predictions"])),
                 "mean_probability": round(float(result["predictions"]["churn_probability"].mean()), 6)},
    }
    if result["truth"] is not None:
        summary["live_vs_truth"] = {
            "observed_rate": round(float(result["truth_rate"]), 6),
            **{name: {k: round(float(v), 6) for k, v in row.items()} for name, row in result["truth"].iterrows()}}
    return summary


def run(ctx: Context) -> ChurnResult:
    """Compare the candidates out of time, ship the best, score every customer as of the end."""
    info = ctx.read("prepared.info")
    cp, unit, seasonal = ctx.params.churn, ctx.params.clv.time_unit, ctx.params.clv.seasonal
    end = pd.Timestamp(info["end_date"])
    design = _design(ctx)
    H = design.horizon_days
    plan = churn.plan_cutoffs(pd.Timestamp(info["first_date"]), end, design)
    log = churn.purchase_log(ctx.log.purchase_days(end=end))
    btyd = churn.btyd_features_at(log, [*plan.labelled, plan.live], H, unit, seasonal=seasonal)
    options = {"peak_months": design.peak_months, "window_days": design.feature_window_days}
    train = churn.add_btyd_features(ctx.log.churn_examples(plan.train, H, data_end=end, **options), btyd)
    valid = churn.add_btyd_features(ctx.log.churn_examples([plan.validation], H, data_end=end, **options), btyd)
    live = churn.add_btyd_features(ctx.log.customer_features(plan.live, **options), btyd[plan.live])

    comparison = churn.compare_models(train, valid, seed=cp.seed, cv_folds=cp.cv_folds, calibration=cp.calibration,
                                      production_model=cp.production_model)
    selection, fitted = comparison.selection, comparison.models
    production = selection.shipped
    choice = churn.choose_threshold(train[churn.TARGET], churn.training_predictions(fitted[production], train),
                                    comparison.evaluation.y_true, comparison.evaluation.probabilities[production],
                                    cp.cost_missed_churner, cp.cost_wasted_offer)
    evaluation = comparison.evaluation.at_threshold(choice.threshold)
    table = evaluation.table.loc[selection.table.index].join(selection.table[["role", "rank", "shipped"]])
    ctx.write("churn.previous", pd.DataFrame(
        {"churn_probability": evaluation.probabilities[production].to_numpy()},
        index=pd.Index(valid["CustomerID"].to_numpy(), name="CustomerID")))
    ctx.write("churn_metrics", table.round(6).reset_index())

    # Live: the shipped model refitted on every labelled cutoff with its validated settings.
    labelled = pd.concat([train, valid], ignore_index=True)
    refitted = {production: churn.refit(production, labelled, cp.seed, cp.cv_folds, calibration=cp.calibration,
                                        like=fitted[production])}
    explainer = production if production.startswith(churn.EXPLAINABLE_MODEL) else churn.EXPLAINABLE_MODEL
    if explainer not in refitted:
        refitted[explainer] = churn.refit(explainer, labelled, cp.seed, cp.cv_folds, calibration=cp.calibration,
                                          like=fitted[explainer])
    proba = churn.predict_churn(refitted[production], live)
    predictions = pd.DataFrame({
        "churn_probability": proba.round(6), "risk_band": churn.risk_band(proba, tuple(cp.risk_bands)).astype(str),
        "top_reasons": churn.top_reasons(refitted[explainer], live, n=2, currency=currency_symbol(ctx.currency),
                                        horizon_days=H),
        "model": production}, index=live.index)
    ctx.write("churn.customers", predictions)
    export = predictions.join(live[["Recency", "Frequency", "Monetary"]]).sort_values(
        ["churn_probability"], ascending=False, kind="stable")
    ctx.write("churn_predictions", export)
    customers = export.reset_index()
    customers["CustomerID"] = ctx.shown_ids(customers["CustomerID"]).to_numpy()

    truth = ctx.truth()
    truth_table, truth_rate = None, None
    if truth is not None:
        scores = {production: proba}
        for name in (n for n in table.index if table.loc[n, "role"] == "baseline" and n != production):
            model = churn.refit(name, labelled, cp.seed, cp.cv_folds, calibration=cp.calibration, like=fitted[name])
            scores[name] = churn.predict_churn(model, live)
        if btyd[plan.live].seasonal and set(churn.MODELS[production].needs) & set(churn.BTYD_FEATURES):
            flat = churn.btyd_features(log, plan.live, H, unit, seasonal=False)
            scores[f"{production}, flat calendar"] = churn.predict_churn(refitted[production],
                                                                         churn.add_btyd_features(live, flat))
        truth_table, truth_rate = _truth_table(truth, H, scores)

    learned = [n for n in table.index if table.loc[n, "role"] == "candidate"]
    importance_model = learned[0]
    importance = churn.permutation_importance_table(fitted[importance_model], valid, valid[churn.TARGET], cp.seed)
    feature_labels = _feature_labels(H)
    coefficients = churn.logistic_coefficients(fitted[churn.EXPLAINABLE_MODEL], train, train[churn.TARGET],
                                               labels=feature_labels)
    cutoffs = _cutoff_table(plan, train, valid, live, btyd, pd.Timestamp(info["first_date"]))
    bands = predictions["risk_band"].value_counts().reindex(list(churn.RISK_BANDS), fill_value=0).astype(int)
    summary = _summary({"plan": plan, "table": table, "selection": selection, "choice": choice, "H": H,
                        "seasonal": seasonal, "btyd": btyd, "predictions": predictions, "truth": truth_table,
                        "truth_rate": truth_rate})
    ctx.write("churn_summary", summary)
    return ChurnResult(
        info=info, currency=ctx.currency, horizon_days=H, plan=plan, cutoffs=cutoffs, comparison=comparison,
        table=table, margins=selection.margins, threshold=choice,
        confusion=churn.confusion_table(evaluation, production, choice.threshold),
        curves=churn.curves(evaluation), coefficients=coefficients, importance=importance,
        importance_model=importance_model, hyperparameters=churn.chosen_hyperparameters(fitted),
        purchase_model=_purchase_model_table(btyd, cutoffs.set_index("cutoff")["set"], H), predictions=predictions,
        customers=customers, band_counts=bands, histogram=churn.probability_histogram(proba, tuple(cp.risk_bands)),
        truth=truth_table, truth_rate=truth_rate, summary=summary, max_table_rows=int(ctx.params.report.max_table_rows),
        feature_labels=feature_labels, summary_bands=tuple(float(b) for b in cp.risk_bands))
