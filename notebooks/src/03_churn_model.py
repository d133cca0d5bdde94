# %% [markdown]
# # Churn model
# Who will not buy again in the next days of the churn horizon, how sure we are, and why. A customer
# has *churned* at a cutoff date if they make no purchase in the horizon after it. Models learn from
# earlier cutoffs and are judged on a later one they never saw (out-of-time validation), next to two
# simple baselines; the chosen model then scores every customer as of the last day of the data.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import json

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from sklearn.metrics import precision_recall_curve, roc_auc_score, roc_curve

from retention import churn, metrics, pipeline, privacy
from retention import report as rp
from retention.io import write_text_atomic
from retention.params import load_params

params = load_params(params_file)
cp = params["churn"]
prepared = pipeline.load_prepared(output_dir)
tx, returns, info = prepared.transactions, prepared.returns, prepared.info
currency = params["data"]["currency"]
symbol = rp.CURRENCY_SYMBOLS.get(currency, currency + " ")
salt = privacy.id_salt(params)
end = pd.Timestamp(info["end_date"])
H = cp["horizon_days"]
rp.setup_notebook(info, params_file)

design = churn.ChurnDesign(horizon_days=H, n_train_cutoffs=cp["n_train_cutoffs"], spacing_days=cp["spacing_days"],
                           min_history_days=cp["min_history_days"], feature_window_days=cp["feature_window_days"],
                           peak_months=tuple(params["features"]["peak_months"]))
plan = churn.plan_cutoffs(tx["InvoiceDate"].min(), end, design)
train = churn.build_examples(tx, plan.train, design, returns=returns, data_end=end)
valid = churn.build_examples(tx, [plan.validation], design, returns=returns, data_end=end)
fitted = churn.fit_models(train, cp["seed"], cp["cv_folds"], calibration=cp["calibration"])
BGNBD = "BG/NBD baseline"
models = {churn.BASELINE_NAME: fitted[churn.BASELINE_NAME],
          BGNBD: churn.BGNBDBaseline(tx, H, unit=params["clv"]["time_unit"]).fit(),
          **{k: v for k, v in fitted.items() if k != churn.BASELINE_NAME}}
threshold = metrics.cost_optimal_threshold(cp["cost_missed_churner"], cp["cost_wasted_offer"])
evaluation = churn.evaluate(models, valid, threshold)
table = evaluation.table
production = cp["production_model"]
baselines = [churn.BASELINE_NAME, BGNBD]
best_baseline = table.loc[baselines, "pr_auc"].idxmax()
gain = table.loc[production, "pr_auc"] - table.loc[best_baseline, "pr_auc"]

# %%
rp.kpi_cards([
    ("Out-of-time ROC-AUC", f"{table.loc[production, 'roc_auc']:.3f}", f"{production}, cutoff {rp.day(plan.validation)}"),
    ("PR-AUC vs best baseline", f"{table.loc[production, 'pr_auc']:.3f}",
     f"{best_baseline}: {table.loc[best_baseline, 'pr_auc']:.3f}"),
    ("Churn rate", rp.pct(table.loc[production, "base_rate"]), f"no purchase within {H} days of the cutoff"),
    ("Brier score", f"{table.loc[production, 'brier']:.3f}", "calibrated probabilities (lower is better)"),
])
verdict = (f"beats the best simple baseline ({best_baseline}) by {gain:.3f} in PR-AUC" if gain > 0 else
           f"does NOT beat the best simple baseline ({best_baseline}): its PR-AUC is {abs(gain):.3f} lower")
rp.callout(
    f"On customers at {rp.day(plan.validation)}, a date none of the models was trained on, {rp.pct(table.loc[production, 'base_rate'])} "
    f"made no purchase in the next {H} days. The {production.lower()} ranks them with ROC-AUC "
    f"{table.loc[production, 'roc_auc']:.3f} and {verdict}. Recency (days since the last order) carries most of the "
    f"signal, so the model's value lies in calibrated probabilities and a finer ranking rather than in a different "
    f"story. The top 10% of customers by risk churn {table.loc[production, 'lift_top_decile']:.2f}× as often as average."
)

# %% [markdown]
# ## How the model was evaluated: no look into the future
# Each bar is one cutoff. Features use only purchases before the cutoff (blue); the label is whether
# the customer bought in the window after it (orange). Models are trained on the earlier cutoffs and
# validated on the later one, whose label window ends at the end of the data; the training label
# windows all end before the validation cutoff. The chosen model is then refitted on every labelled
# cutoff and scores all customers as of the last day, whose future is not known yet.

# %%
first = tx["InvoiceDate"].min().normalize()
rows = [(f"Training {i + 1}", c) for i, c in enumerate(plan.train)] + [("Validation", plan.validation), ("Live scoring", plan.live)]
fig = go.Figure()
for name, cutoff in rows:
    start = cutoff - pd.Timedelta(days=cp["feature_window_days"]) if cp["feature_window_days"] else first
    fig.add_trace(go.Bar(y=[name], x=[(cutoff - start).days * 86400000], base=[start.strftime("%Y-%m-%d")],
                         orientation="h", marker_color=rp.PALETTE[0], name="Features (history)", showlegend=name == rows[0][0],
                         hovertemplate=f"{name}: features from {rp.day(start)} to {rp.day(cutoff)}<extra></extra>"))
    label_end = cutoff + pd.Timedelta(days=H)
    fig.add_trace(go.Bar(y=[name], x=[H * 86400000], base=[cutoff.strftime("%Y-%m-%d")], orientation="h",
                         marker_color=rp.PALETTE[1] if name != "Live scoring" else "#cccccc",
                         name="Label window" if name != "Live scoring" else "Future (unknown)",
                         showlegend=name in (rows[0][0], "Live scoring"),
                         hovertemplate=f"{name}: label from {rp.day(cutoff + pd.Timedelta(days=1))} to {rp.day(label_end)}<extra></extra>"))
fig.add_vline(x=end.strftime("%Y-%m-%d"), line_dash="dot", line_color="#333")
fig.update_layout(barmode="overlay", xaxis={"type": "date", "tickformat": "%b %Y"})
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"Validation at {rp.day(plan.validation)}: later than every training label window", "Date",
                None, 360)
rp.show_figure(fig, "timeline")
rp.show_static_table(pd.DataFrame({
    "Set": [r[0] for r in rows],
    "Cutoff": [rp.day(r[1]) for r in rows],
    "Customers": [rp.number((train["cutoff"] == c).sum()) for c in plan.train] + [rp.number(len(valid)), "all active"],
    "Churn rate": [rp.pct(train.loc[train["cutoff"] == c, churn.TARGET].mean()) for c in plan.train]
    + [rp.pct(valid[churn.TARGET].mean()), "unknown"],
}), numeric=["Customers", "Churn rate"])

# %% [markdown]
# ## Model comparison on the later cutoff
# All metrics on the out-of-time validation customers. ROC-AUC and PR-AUC measure ranking (higher is
# better); Brier score and log loss measure the probabilities themselves (lower is better), which
# matters because the ROI report multiplies them by money. Accuracy, precision, recall and F1 are at
# the decision threshold explained below. Lift: how much more often the top 10% by risk churn than
# the average customer.

# %%
labels = {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "brier": "Brier", "log_loss": "Log loss", "accuracy": "Accuracy",
          "precision": "Precision", "recall": "Recall", "f1": "F1", "lift_top_decile": "Top-decile lift"}
shown = table[list(labels)].rename(columns=labels)
view = shown.map(lambda v: f"{v:.3f}").reset_index().rename(columns={"model": "Model"})
rp.show_static_table(view, numeric=list(labels.values()))
_ = pipeline.write_artifact(table.round(6).reset_index(), output_dir, "churn_metrics.csv")
# What the model said at the validation cutoff: the "previous period" of the executive summary.
previous = pd.DataFrame({"CustomerID": valid["CustomerID"].to_numpy(),
                         "churn_probability": evaluation.probabilities[production].to_numpy()}).set_index("CustomerID")
_ = pipeline.write_work_table(previous, output_dir, "churn_previous")

# %%
proba, y_valid = evaluation.probabilities, evaluation.y_true
fig = go.Figure()
for i, name in enumerate(proba.columns):
    fpr, tpr, _ = roc_curve(y_valid, proba[name])
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 300)).astype(int))
    fig.add_scatter(x=fpr[keep], y=tpr[keep], name=f"{name} ({table.loc[name, 'roc_auc']:.3f})", mode="lines",
                    line={"color": rp.PALETTE[i], "dash": "dot" if name in baselines else "solid"},
                    hovertemplate=name + ": FPR %{x:.2f}, TPR %{y:.2f}<extra></extra>")
fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#bbb", "dash": "dash"}, name="Random", hoverinfo="skip")
rp.style_figure(fig, "All models rank churners far better than chance, and close to the recency baseline",
                "False positive rate (share of stayers flagged)", "True positive rate (share of churners caught)", 460)
fig.update_layout(legend={"orientation": "v", "x": 0.98, "xanchor": "right", "y": 0.02, "yanchor": "bottom"})
rp.show_figure(fig, "roc")

fig = go.Figure()
for i, name in enumerate(proba.columns):
    precision, recall, _ = precision_recall_curve(y_valid, proba[name])
    keep = np.unique(np.linspace(0, len(recall) - 1, min(len(recall), 300)).astype(int))
    fig.add_scatter(x=recall[keep], y=precision[keep], name=f"{name} ({table.loc[name, 'pr_auc']:.3f})", mode="lines",
                    line={"color": rp.PALETTE[i], "dash": "dot" if name in baselines else "solid"},
                    hovertemplate=name + ": recall %{x:.2f}, precision %{y:.2f}<extra></extra>")
fig.add_hline(y=float(y_valid.mean()), line_dash="dash", line_color="#bbb")
rp.style_figure(fig, "Precision stays high for the riskiest customers and falls towards the churn rate",
                "Recall (share of churners caught)", "Precision (share of flagged who churn)", 460)
fig.update_layout(legend={"orientation": "v", "x": 0.02, "xanchor": "left", "y": 0.02, "yanchor": "bottom"})
rp.show_figure(fig, "pr")

# %% [markdown]
# ## Can the probabilities be trusted? Calibration and gains
# Left: customers grouped by predicted probability; a calibrated model's points lie on the diagonal
# (predicted = observed churn rate). Right: the cumulative gains chart: contacting the riskiest x% of
# customers catches y% of all churners.

# %%
fig = go.Figure()
for i, name in enumerate(proba.columns):
    rel = metrics.reliability_table(y_valid, proba[name], n_bins=10)
    fig.add_scatter(x=rel["mean_predicted"], y=rel["observed_rate"], mode="lines+markers", name=name,
                    line={"color": rp.PALETTE[i], "dash": "dot" if name in baselines else "solid"},
                    customdata=rel["customers"], hovertemplate=name + ": predicted %{x:.2f}, observed %{y:.2f} "
                    "(%{customdata} customers)<extra></extra>")
fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#bbb", "dash": "dash"}, name="Perfect", hoverinfo="skip")
rp.style_figure(fig, f"Predicted churn probabilities match observed rates (Brier {table.loc[production, 'brier']:.3f} "
                f"for the {production.lower()})", "Predicted churn probability (decile mean)", "Observed churn rate", 460)
rp.show_figure(fig, "calibration")

fig = go.Figure()
for i, name in enumerate(proba.columns):
    gains = metrics.gains_table(y_valid, proba[name], n_bins=10)
    fig.add_scatter(x=np.r_[0, gains["cum_customers_share"]] * 100, y=np.r_[0, gains["cum_positives_share"]] * 100,
                    mode="lines+markers", name=name, line={"color": rp.PALETTE[i], "dash": "dot" if name in baselines else "solid"},
                    hovertemplate=name + ": top %{x:.0f}% catch %{y:.0f}% of churners<extra></extra>")
fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line={"color": "#bbb", "dash": "dash"}, name="Random", hoverinfo="skip")
top30 = metrics.gains_table(y_valid, proba[production], n_bins=10)
catch30 = float(np.interp(0.3, top30["cum_customers_share"], top30["cum_positives_share"]))
rp.style_figure(fig, f"Contacting the riskiest 30% catches {rp.pct(catch30)} of churners ({production.lower()})",
                "Customers contacted, riskiest first (%)", "Churners caught (%)", 460)
rp.show_figure(fig, "gains")
gains_view = top30.assign(**{c: top30[c].map(lambda v: f"{v:.2f}") for c in ["positive_rate", "lift", "cum_lift"]})
gains_view["cum_positives_share"] = top30["cum_positives_share"].map(rp.pct)
rp.show_static_table(gains_view[["decile", "customers", "positives", "positive_rate", "cum_positives_share", "lift", "cum_lift"]]
                     .rename(columns={"decile": "Decile", "customers": "Customers", "positives": "Churners",
                                      "positive_rate": "Churn rate", "cum_positives_share": "Churners caught (cum.)",
                                      "lift": "Lift", "cum_lift": "Cumulative lift"}),
                     numeric=["Decile", "Customers", "Churners", "Churn rate", "Churners caught (cum.)", "Lift", "Cumulative lift"])

# %% [markdown]
# ## The decision threshold
# A customer is flagged as a churner when their probability exceeds the threshold. With calibrated
# probabilities the cheapest threshold follows from two costs in the params: missing a churner
# (`cost_missed_churner`) and sending an offer to a customer who would have stayed (`cost_wasted_offer`):
# flag when p × cost of a miss > (1 − p) × cost of a wasted offer, i.e. p > wasted ÷ (wasted + missed).

# %%
confusion = metrics.confusion_at(y_valid, proba[production], threshold)
cost = metrics.expected_cost(y_valid, proba[production], threshold, cp["cost_missed_churner"], cp["cost_wasted_offer"])
cost_half = metrics.expected_cost(y_valid, proba[production], 0.5, cp["cost_missed_churner"], cp["cost_wasted_offer"])
rp.show_markdown(
    f"Missing a churner costs {rp.money(cp['cost_missed_churner'], currency)}, a wasted offer "
    f"{rp.money(cp['cost_wasted_offer'], currency)}, so the threshold is **{threshold:.3f}**. On the validation customers "
    f"it costs {rp.money(cost, currency)} in total against {rp.money(cost_half, currency)} at the default 0.5.")
conf_view = confusion.map(rp.number).reset_index().rename(columns={"index": ""})
rp.show_static_table(conf_view, numeric=list(confusion.columns))

# %% [markdown]
# ## Why customers are at risk
# The logistic regression's coefficients on standardised (log-transformed where skewed) features: a
# positive coefficient means a higher value makes churn more likely. Features overlap (orders in the last
# 90 days, order trend and total orders move together), so read single coefficients with care. For the
# tree models, permutation importance: how much ROC-AUC drops on the validation customers when a
# feature is shuffled.

# %%
coefficients = churn.logistic_coefficients(fitted["Logistic regression"])
fig = go.Figure(go.Bar(x=coefficients["coefficient"], y=coefficients["feature"], orientation="h",
                       marker_color=[rp.PALETTE[3] if v > 0 else rp.PALETTE[0] for v in coefficients["coefficient"]],
                       customdata=coefficients["direction"], hovertemplate="%{y}: %{x:.3f}<br>%{customdata}<extra></extra>"))
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"{coefficients.iloc[0]['feature']} pushes churn risk the most",
                "Coefficient on the standardised feature (positive = more churn)", None, 440)
rp.show_figure(fig, "coefficients")
rp.show_static_table(coefficients[["feature", "coefficient", "direction"]].assign(
    coefficient=coefficients["coefficient"].map(lambda v: f"{v:+.3f}")).rename(
    columns={"feature": "Feature", "coefficient": "Coefficient", "direction": "In words"}), numeric=["Coefficient"])

importance = pd.concat([churn.permutation_importance_table(fitted[name], valid, valid[churn.TARGET], cp["seed"])
                        .assign(model=name) for name in ("Random forest", "Gradient boosting")], ignore_index=True)
fig = px.bar(importance, x="importance_mean", y="feature", color="model", barmode="group", orientation="h",
             error_x="importance_std", color_discrete_sequence=[rp.PALETTE[2], rp.PALETTE[4]])
fig.update_yaxes(autorange="reversed", title_text=None)
fig.update_layout(legend_title_text=None)
rp.style_figure(fig, "For the tree models too, recency dominates", "Drop in ROC-AUC when the feature is shuffled",
                None, 460)
rp.show_figure(fig, "permutation-importance")

# %% [markdown]
# ## Every customer's churn probability today
# The production model, refitted on every labelled cutoff, scores all customers as of the last day of
# the data. Each gets a risk band and the two largest reasons behind their score, in words.

# %%
labelled = pd.concat([train, valid], ignore_index=True)
live_model = churn.refit(production, labelled, cp["seed"], cp["cv_folds"], calibration=cp["calibration"])
live = churn.features_at(tx, plan.live, design, returns=returns)
live_proba = churn.predict_churn(live_model, live)
lr_for_reasons = live_model if production == "Logistic regression" else churn.refit(
    "Logistic regression", labelled, cp["seed"], cp["cv_folds"], calibration=cp["calibration"])
reasons = churn.top_reasons(lr_for_reasons, live, n=2, currency=symbol)
bands = churn.risk_band(live_proba, tuple(cp["risk_bands"]))
version = f"{production} | trained on {len(plan.labelled)} cutoffs to {rp.day(plan.validation)} | H={H}d | seed {cp['seed']}"
predictions = pd.DataFrame({"churn_probability": live_proba.round(6), "risk_band": bands.astype(str),
                            "top_reasons": reasons, "model_version": version}, index=live.index)
_ = pipeline.write_stage(predictions, output_dir, "churn")
export = predictions.join(live[["Recency", "Frequency", "Monetary"]]).reset_index()
export["CustomerID"] = privacy.pseudonymise(export["CustomerID"], salt)
export = export.sort_values(["churn_probability", "CustomerID"], ascending=[False, True])
_ = pipeline.write_artifact(export, output_dir, "churn_predictions.csv")

band_counts = bands.value_counts().reindex(["Low", "Medium", "High"]).fillna(0).astype(int)
fig = px.histogram(live_proba.to_frame(), x="churn_probability", nbins=40, color_discrete_sequence=[rp.PALETTE[0]])
for cut in cp["risk_bands"]:
    fig.add_vline(x=cut, line_dash="dot", line_color=rp.PALETTE[3])
fig.update_traces(hovertemplate="probability %{x}: %{y:,} customers<extra></extra>")
rp.style_figure(fig, f"{rp.number(band_counts['High'])} customers are at high risk (probability ≥ {cp['risk_bands'][1]})",
                f"Probability of no purchase in the next {H} days", "Customers", 380)
rp.show_figure(fig, "live-distribution")
rp.show_markdown(f"Risk bands: Low {rp.number(band_counts['Low'])}, Medium {rp.number(band_counts['Medium'])}, "
                 f"High {rp.number(band_counts['High'])} customers. Full list: "
                 f"[churn_predictions.csv](artifacts/churn_predictions.csv).")
rp.show_table(export[["CustomerID", "churn_probability", "risk_band", "top_reasons", "Recency", "Frequency", "Monetary"]]
              .assign(churn_probability=export["churn_probability"].round(3), Monetary=export["Monetary"].round(2)),
              "churn-table", page_length=10, maxBytes=0, showIndex=False)

summary = {"horizon_days": H, "validation_cutoff": str(plan.validation.date()),
           "train_cutoffs": [str(c.date()) for c in plan.train], "threshold": round(threshold, 6),
           "production_model": production,
           "validation": {m: {k: round(float(v), 6) for k, v in table.loc[m, list(labels)].items()} for m in table.index}}

# %% [markdown]
# ## Appendix: the models against the generator's ground truth

# %%
truth = pipeline.load_truth(params)
column = f"purchases_next_{H}d"
if truth is not None and column in truth.columns:
    truly_churned = (truth.loc[live.index, column] == 0).astype(int)
    live_bg = churn.BGNBDBaseline(tx, H, unit=params["clv"]["time_unit"], cutoff=plan.live).fit().predict_proba(live)[:, 1]
    live_base = churn.predict_churn(churn.refit(churn.BASELINE_NAME, labelled, cp["seed"], cp["cv_folds"]), live)
    truth_auc = {production: roc_auc_score(truly_churned, live_proba), churn.BASELINE_NAME: roc_auc_score(truly_churned, live_base),
                 BGNBD: roc_auc_score(truly_churned, live_bg)}
    summary["live_vs_truth_roc_auc"] = {k: round(float(v), 6) for k, v in truth_auc.items()}
    rp.callout(
        f"The generated data comes with what customers really did after the last day. Of the {rp.number(len(live))} "
        f"customers scored today, {rp.pct(truly_churned.mean())} really made no purchase in the next {H} days (the model "
        f"predicted {rp.pct(live_proba.mean())} on average). Against that truth the live scores reach ROC-AUC "
        f"{truth_auc[production]:.3f} ({production.lower()}), {truth_auc[churn.BASELINE_NAME]:.3f} (recency baseline) and "
        f"{truth_auc[BGNBD]:.3f} (BG/NBD), close to the out-of-time estimate of {table.loc[production, 'roc_auc']:.3f}: "
        f"the validation design did not flatter the model.", title="Live scores against the truth")
else:
    rp.show_markdown("*No ground truth for this data (only the generated data has one).*")
_ = write_text_atomic(json.dumps(summary, indent=2, sort_keys=True) + "\n",
                      pipeline.output_paths(output_dir)["artifacts"] / "churn_summary.json")
