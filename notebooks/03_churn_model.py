# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (retention)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Churn: who will stop buying, and how sure we are
# Every customer's chance of placing no order in the churn horizon after the last day of the data, checked on
# an earlier date whose outcome we know, with the reasons behind each score.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import pandas as pd
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("03_churn_model", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
H, cur, shipped, table = r.horizon_days, r.currency, r.shipped, r.table
low_cut, high_cut = r.summary_bands
auc = float(table.loc[shipped, "roc_auc"])
rp.kpi_cards([
    rp.KpiCard(f"Expected to buy nothing in {H} days", rp.pct(r.predictions["churn_probability"].mean(), 0),
               f"about {rp.number(r.expected_churners)} of {rp.plural(len(r.predictions), 'customer')}",
               definition=f"The mean churn probability: each customer's chance of no order by {rp.day(r.horizon_end)}."),
    rp.KpiCard("High risk", rp.number(r.band_counts["High"]),
               f"{rp.pct(r.band_counts['High'] / len(r.predictions), 0)} of customers",
               definition=f"Customers whose chance of no order in the next {H} days is at least {rp.pct(high_cut, 0)}."),
    rp.KpiCard(f"Checked on {rp.day(r.plan.validation)}", f"{rp.pct(r.validation_predicted, 0)} predicted",
               f"{rp.pct(r.validation_rate, 0)} really bought nothing",
               definition="The same method scored customers on an earlier date none of the models had seen, whose "
                          "outcome we know."),
    rp.KpiCard("Ranking right", f"{round(auc * 100):.0f} in 100",
               "pairs of a non-buyer and a buyer put in the right order",
               definition=f"ROC-AUC {auc:.2f} on the checked date: the chance that a customer who did not buy was "
                          "scored above one who did (0.5 = guessing, 1 = perfect)."),
])
rp.callout(r.headline(), title=f"Who will not buy in the next {H} days")
if r.warnings:
    rp.callout(" ".join(r.warnings), title="What the models warned about", tone="warning")

# %% [markdown]
# ## Who is at risk today
# Each customer's chance of no order in the churn horizon, as of the last day of the data. The risk bands
# (thresholds in the params) group them for a campaign; the full list, with the two main reasons behind each
# score, is at the end of this report and in the CSV.

# %%
band_colors = {"Low": rp.GAIN, "Medium": rp.WARNING, "High": rp.LOSS}
fig = go.Figure()
for band in ["Low", "Medium", "High"]:
    bins = r.histogram[r.histogram["risk_band"] == band]
    fig.add_bar(x=(bins["lo"] + bins["hi"]) / 2, y=bins["customers"], width=bins["hi"] - bins["lo"],
                name=f"{band} risk: {rp.plural(r.band_counts[band], 'customer')}", marker_color=band_colors[band],
                customdata=bins[["lo", "hi"]], hovertemplate="%{customdata[0]:.0%} to %{customdata[1]:.0%}: "
                "%{y:,} customers<extra></extra>")
fig.update_layout(bargap=0.05)
rp.style_figure(fig, f"{rp.number(r.band_counts['High'])} customers have a chance of {rp.pct(high_cut, 0)} or more "
                f"of buying nothing in the next {H} days", f"Chance of no order in the next {H} days", "Customers",
                x_unit="share", y_unit="count")
rp.show_figure(fig, "live-distribution")

# %% [markdown]
# ## How we checked: no look into the future
# Each bar is one date (a *cutoff*). The models see only the purchases before it (blue) and learn whether each
# customer then bought in the churn horizon after it (orange). They learn from the training dates and are
# scored once on the later validation date, whose outcome window ends on the last day of the data and starts
# after every training window has ended. The score that wins is then refitted on every date with a known outcome
# and scores all customers as of the last day, whose future is unknown (grey).

# %%
timeline = r.cutoffs
first = pd.Timestamp(r.info["first_date"])
fig = go.Figure()
for position, row in enumerate(timeline.itertuples(index=False)):
    live_row = position == len(timeline) - 1
    fig.add_bar(y=[row.set], x=[(row.cutoff - first).days * 86400000], base=[first.strftime("%Y-%m-%d")],
                orientation="h", marker_color=rp.ACCENT, name="History the models see", showlegend=position == 0,
                hovertemplate=f"{row.set}: purchases from {rp.day(first)} to {rp.day(row.cutoff)}<extra></extra>")
    fig.add_bar(y=[row.set], x=[H * 86400000], base=[row.cutoff.strftime("%Y-%m-%d")], orientation="h",
                marker_color=rp.NEUTRAL if live_row else rp.WARNING,
                name="The future (unknown)" if live_row else f"Outcome: any order in the next {H} days",
                showlegend=live_row or position == 0,
                hovertemplate=f"{row.set}: outcome window {rp.day(row.cutoff + pd.Timedelta(days=1))} to "
                              f"{rp.day(row.cutoff + pd.Timedelta(days=H))}<extra></extra>")
fig.update_layout(barmode="overlay", xaxis={"type": "date", "tickformat": "%b %Y"})
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"The validation date ({rp.day(r.plan.validation)}) comes after every training outcome window",
                None, None, 380, zero_based=False)
rp.show_figure(fig, "timeline")
rp.show_static_table(pd.DataFrame({
    "Date": timeline["set"], "Cutoff": timeline["cutoff"].map(rp.day),
    "History (days)": timeline["history_days"].map(rp.number), "Customers": timeline["customers"].map(rp.number),
    f"Bought nothing in {H} days": timeline["churn_rate"].map(rp.pct),
    "Shop calendar of the purchase model": timeline["calendar"],
}), numeric=["History (days)", "Customers", f"Bought nothing in {H} days"])
rp.show_markdown(r.cutoffs_sentence())

# %% [markdown]
# ## Which score ships: every candidate on the validation date
# Nine scores compete: three simple baselines and six learned models (with and without the purchase model's
# outputs as extra inputs). The **Brier score** decides, because the next reports multiply these chances by money:
# it is the mean squared gap between each customer's predicted chance and what happened (0 = perfect; guessing
# the overall churn rate for everyone scores about a quarter), so it rewards chances that are both well ordered
# and right in size. **Ranking (ROC-AUC)**: how often a customer who did not buy was scored above one who did
# (0.5 = guessing). **Top-10% lift**: how many times more often the riskiest tenth did not buy than the average
# customer. Every measure is in the glossary at the end.

# %%
view = pd.DataFrame({
    "Score": table.index,
    "Role": [("shipped " if n == shipped else "") + table.loc[n, "role"] for n in table.index],
    "What it is": [r.model_summary(n)[:1].upper() + r.model_summary(n)[1:] for n in table.index],
    "Brier score (lower is better)": table[r.metric].map("{:.4f}".format),
    "Ranking (ROC-AUC)": table["roc_auc"].map("{:.3f}".format),
    "Top-10% lift": table["lift_top_decile"].map("{:.2f}×".format),
})
rp.show_static_table(view, numeric=["Brier score (lower is better)", "Ranking (ROC-AUC)", "Top-10% lift"])
rp.callout(r.selection_sentence() + " " + r.calendar_sentence(), title="Which score we ship, and why")
margins = r.margins.reset_index()
rp.show_markdown(
    f"**The shipped score against every baseline** on the same {rp.number(table.loc[shipped, 'n'])} customers: the "
    "margin is the baseline's Brier score minus the shipped score's (positive = the shipped score is better), with "
    "its standard error (how far it could move by chance; two standard errors or more is unlikely to be luck).")
rp.show_static_table(pd.DataFrame({
    "Shipped score compared with": margins["compared_with"],
    "Baseline's Brier score": margins["other_value"].map("{:.4f}".format),
    "Shipped score's Brier score": margins["model_value"].map("{:.4f}".format),
    "Margin": margins["margin"].map("{:+.4f}".format),
    "Standard error": margins["margin_se"].map("{:.4f}".format),
    "At least as good": margins["at_least_as_good"].map({True: "yes", False: "no"}),
}), numeric=["Baseline's Brier score", "Shipped score's Brier score", "Margin", "Standard error"])
rp.show_markdown(r.optimism_sentence())

# %% [markdown]
# ## How well the scores sort customers
# First, the ROC curve. Flagging customers from the riskiest down, it shows the share of non-buyers caught against
# the share of buyers flagged by mistake; the closer to the top-left corner, the better (the diagonal is
# guessing). Second, precision against recall. Of the customers flagged, the share who really did not buy
# (precision), against the share of all non-buyers caught (recall); flagging everyone ends at the churn rate.
# Shown: the shipped score (blue), the baselines (grey) and, when a baseline ships, the best learned model
# (orange).

# %%
candidates = [n for n in table.index if table.loc[n, "role"] == "candidate"]
drawn = [shipped] + [n for n in r.baselines if n != shipped]
drawn += [candidates[0]] if shipped not in candidates else []
below = {"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.22, "yanchor": "top"}
colors = {n: rp.ACCENT if n == shipped else rp.WARNING if n in candidates else rp.NEUTRAL for n in drawn}
dashes = {n: "solid" if n == shipped or n in candidates else ["dot", "dash", "dashdot"][i % 3]
          for i, n in enumerate(drawn)}
fig = go.Figure()
for name in drawn:
    curve = r.curves.roc[r.curves.roc["model"] == name]
    fig.add_scatter(x=curve["false_positive_rate"], y=curve["true_positive_rate"], mode="lines",
                    name=f"{name} ({table.loc[name, 'roc_auc']:.3f})",
                    line={"color": colors[name], "dash": dashes[name]},
                    hovertemplate=name + ": %{x:.0%} of buyers flagged, %{y:.0%} of non-buyers caught<extra></extra>")
fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#cccccc", "dash": "dash"}, name="Guessing (0.500)",
                hoverinfo="skip")
rp.style_figure(fig, f"The shipped score catches non-buyers far better than guessing (ROC-AUC {auc:.3f})",
                "Buyers flagged by mistake (share of all buyers)", "Non-buyers caught (share of all non-buyers)",
                460, x_unit="share", y_unit="share")
fig.update_layout(legend=below)
rp.show_figure(fig, "roc")

fig = go.Figure()
for name in drawn:
    curve = r.curves.precision_recall[r.curves.precision_recall["model"] == name]
    fig.add_scatter(x=curve["recall"], y=curve["precision"], mode="lines",
                    name=f"{name} ({table.loc[name, 'pr_auc']:.3f})",
                    line={"color": colors[name], "dash": dashes[name]},
                    hovertemplate=name + ": %{x:.0%} of non-buyers caught, %{y:.0%} of the flagged did not buy"
                                         "<extra></extra>")
fig.add_hline(y=r.curves.churn_rate, line_dash="dash", line_color="#cccccc",
              annotation_text=f"churn rate {rp.pct(r.curves.churn_rate, 0)}", annotation_position="bottom right")
rp.style_figure(fig, "The riskiest customers are nearly all non-buyers; precision falls towards the churn rate as "
                "the list grows", "Non-buyers caught (recall)", "Flagged who did not buy (precision)", 460,
                x_unit="share", y_unit="share")
fig.update_layout(legend=below)
rp.show_figure(fig, "precision-recall", note="The number after each name is the PR-AUC (average precision): the "
               "mean precision as the list grows; guessing scores the churn rate.")

# %% [markdown]
# ## Can the chances be taken at face value?
# First, the customers of the validation date in ten equal groups by predicted chance; a *calibrated* score (its
# chances come true as often as they say) has its points on the diagonal. Second, the gains chart. Contacting
# the riskiest x% of customers catches y% of all the customers who did not buy.

# %%
fig = go.Figure()
for name in drawn:
    bins = r.curves.calibration[r.curves.calibration["model"] == name]
    fig.add_scatter(x=bins["mean_predicted"], y=bins["observed_rate"], mode="lines+markers", name=name,
                    line={"color": colors[name], "dash": dashes[name]}, customdata=bins["customers"],
                    hovertemplate=name + ": predicted %{x:.0%}, observed %{y:.0%} (%{customdata:,} customers)"
                                         "<extra></extra>")
fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#cccccc", "dash": "dash"}, name="Calibrated",
                hoverinfo="skip")
drift = r.validation_predicted - r.validation_rate
rp.style_figure(fig, f"On {rp.day(r.plan.validation)} the shipped score predicted {rp.pct(r.validation_predicted, 0)} "
                f"where {rp.pct(r.validation_rate, 0)} bought nothing ({rp.pct_points(drift, 1)})",
                "Predicted chance of no order (group mean)", "Share who bought nothing", 460,
                x_unit="share", y_unit="share")
fig.update_layout(legend=below)
rp.show_figure(fig, "calibration")

gains = r.curves.gains
fig = go.Figure()
for name in drawn:
    g = gains[gains["model"] == name]
    fig.add_scatter(x=[0.0, *g["cum_customers_share"]], y=[0.0, *g["cum_positives_share"]], mode="lines+markers",
                    name=name, line={"color": colors[name], "dash": dashes[name]},
                    hovertemplate=name + ": the riskiest %{x:.0%} hold %{y:.0%} of the non-buyers<extra></extra>")
fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line={"color": "#cccccc", "dash": "dash"}, name="Random order",
                hoverinfo="skip")
shipped_gains = gains[gains["model"] == shipped].reset_index(drop=True)
top3 = shipped_gains.iloc[min(2, len(shipped_gains) - 1)]
rp.style_figure(fig, f"The riskiest {rp.pct(top3['cum_customers_share'], 0)} of customers hold "
                f"{rp.pct(top3['cum_positives_share'], 0)} of those who bought nothing (shipped score)",
                "Customers contacted, riskiest first", "Non-buyers caught", 460, x_unit="share", y_unit="share")
fig.update_layout(legend=below)
rp.show_figure(fig, "gains")
rp.show_static_table(pd.DataFrame({
    "Risk group (tenths)": shipped_gains["decile"].map(rp.number),
    "Customers": shipped_gains["customers"].map(rp.number),
    "Bought nothing": shipped_gains["positive_rate"].map(rp.pct),
    "Non-buyers caught so far": shipped_gains["cum_positives_share"].map(rp.pct),
    "Lift": shipped_gains["lift"].map("{:.2f}×".format),
}), numeric=["Risk group (tenths)", "Customers", "Bought nothing", "Non-buyers caught so far", "Lift"],
    caption=f"Shipped score on the {rp.plural(table.loc[shipped, 'n'], 'customer')} of {rp.day(r.plan.validation)}, "
            "riskiest tenth first")

# %% [markdown]
# ## Whom to contact: the threshold
# A campaign contacts the customers whose chance of no order is at or above a threshold. Two costs in the params
# price the mistakes: missing a customer who leaves and sending an offer to one who would have stayed. The chart
# shows the cost per customer of every threshold, on the training dates' customers (where the threshold is
# chosen, from predictions of models that had not seen them) and on the validation date.

# %%
choice = r.threshold
costs = choice.curve
fig = go.Figure()
fig.add_scatter(x=costs["threshold"], y=costs["train_cost_per_customer"], mode="lines", name="Training dates",
                line={"color": rp.NEUTRAL}, hovertemplate="threshold %{x:.2f}: %{y:.2f} per customer<extra></extra>")
fig.add_scatter(x=costs["threshold"], y=costs["validation_cost_per_customer"], mode="lines",
                name=f"Validation date ({rp.day(r.plan.validation)})", line={"color": rp.ACCENT},
                hovertemplate="threshold %{x:.2f}: %{y:.2f} per customer<extra></extra>")
fig.add_vline(x=choice.threshold, line_dash="dot", line_color=rp.ACCENT,
              annotation_text=f"chosen {choice.threshold:.2f}", annotation_position="top right")
fig.add_vline(x=0.5, line_dash="dot", line_color=rp.NEUTRAL, annotation_text="0.5",
              annotation_position="top left")
rp.style_figure(fig, "Cost per customer of contacting everyone at or above each threshold",
                "Threshold (chance of no order)", "Cost per customer", 420, x_unit="probability", y_unit="money")
rp.money_axis(fig, cur, decimals=2)
rp.show_figure(fig, "threshold-cost")
rp.callout(r.threshold_sentence(), title="The threshold")
rules = choice.table
rp.show_static_table(pd.DataFrame({
    "Rule": rules.index,
    "Threshold": rules["threshold"].map("{:.2f}".format),
    "Cost per customer, training dates": [rp.money(v, cur, 2) for v in rules["train_cost_per_customer"]],
    f"Cost per customer, {rp.day(r.plan.validation)}": [rp.money(v, cur, 2)
                                                        for v in rules["validation_cost_per_customer"]],
    f"Flagged on {rp.day(r.plan.validation)}": rules["validation_flagged_share"].map(rp.pct),
}), numeric=["Threshold", "Cost per customer, training dates", f"Cost per customer, {rp.day(r.plan.validation)}",
             f"Flagged on {rp.day(r.plan.validation)}"],
    caption="The last rule uses the validation outcomes themselves (hindsight), for reference only.")
confusion = r.confusion
rp.show_static_table(pd.DataFrame({
    "": confusion.index, **{c: confusion[c].map(rp.number) for c in confusion.columns}}),
    numeric=list(confusion.columns),
    caption=f"Shipped score at the chosen threshold on the {rp.plural(int(confusion.to_numpy().sum()), 'customer')} "
            f"of {rp.day(r.plan.validation)} ('churn' = no order in {H} days)")

# %% [markdown]
# ## What goes with churn
# The logistic regression weighs each feature of a customer's history (on a common scale); a positive weight means
# higher values went with more churn among past customers, the other features held equal. These are
# **associations in past data, not rules**: they do not say what would happen if a customer changed one habit.
# Features that move together share one effect between them, so the size and even the sign of a single weight can
# be an artefact of that overlap; bars with a hatch overlap strongly with another feature and should not be read
# alone (their overlap is in the appendix).

# %%
coefficients = r.coefficients
names = [r.feature_labels[f] for f in coefficients["feature"]]
chart_names = [n.replace(" (", "<br>(") for n in names]
collinear = coefficients["collinear"].fillna(False).astype(bool)
fig = go.Figure(go.Bar(
    x=coefficients["coefficient"], y=chart_names, orientation="h",
    marker={"color": [rp.LOSS if v > 0 else rp.GAIN for v in coefficients["coefficient"]],
            "pattern": {"shape": ["/" if c else "" for c in collinear]}},
    customdata=coefficients["association"],
    hovertemplate="%{customdata}: %{x:+.2f}<extra></extra>"))
fig.update_yaxes(autorange="reversed")
top = coefficients.iloc[0]
rp.style_figure(fig, f"{r.feature_labels[top['feature']]} carries the largest weight (an "
                "association, not a rule)", "Weight on the standardised feature (red = more churn, green = less)",
                None, 460)
rp.show_figure(fig, "coefficients", note=f"{rp.plural(int(collinear.sum()), 'feature')} of {len(coefficients)} overlap "
               "strongly with others (hatched)." if collinear.any() else "No feature overlaps strongly with others.")

importance = r.importance
fig = go.Figure(go.Bar(
    x=importance["importance_mean"], y=[r.feature_labels[f].replace(" (", "<br>(") for f in importance["feature"]],
    orientation="h", marker_color=rp.ACCENT,
    error_x={"type": "data", "array": importance["importance_std"], "color": rp.NEUTRAL},
    hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"What the {r.importance_model} relies on most: "
                f"{r.feature_labels[importance['feature'].iloc[0]].lower()}", "Drop in ROC-AUC when shuffled",
                None, 540)
rp.show_figure(fig, "permutation-importance",
               note=f"Permutation importance on the validation customers for the best learned model "
                    f"({r.importance_model}): what it relies on, not why customers leave.")

# %% [markdown]
# ## Every customer's score
# The shipped score for every customer as of the last day of the data, riskiest first, with the two features
# that push each customer's score up the most (from the logistic regression, in the customer's own numbers;
# associations, not causes).

# %%
shown = r.customers[["CustomerID", "churn_probability", "risk_band", "top_reasons", "Recency", "Frequency",
                     "Monetary"]]
rp.show_table(shown, "churn-customers", max_rows=r.max_table_rows, csv_href="artifacts/churn_predictions.csv",
              units={"Recency": "days", "Frequency": "count"}, maxBytes=0)
rp.show_markdown(
    f"Risk bands: low below {rp.pct(low_cut, 0)} ({rp.plural(r.band_counts['Low'], 'customer')}), medium "
    f"({rp.plural(r.band_counts['Medium'], 'customer')}), high from {rp.pct(high_cut, 0)} "
    f"({rp.plural(r.band_counts['High'], 'customer')}). Every customer: "
    "[churn_predictions.csv](artifacts/churn_predictions.csv).")

# %% [markdown]
# ## Appendix A: every measure of every score on the validation date
# PR-AUC: the mean precision as the flagged list grows (guessing scores the churn rate). Log loss: a penalty
# that grows fast for confident wrong chances (lower is better). Accuracy, precision, recall and F1 (the balance
# of precision and recall) are at the chosen threshold.

# %%
full = table[["roc_auc", "pr_auc", "brier", "log_loss", "accuracy", "precision", "recall", "f1",
              "lift_top_decile"]]
rp.show_static_table(pd.DataFrame({
    "Score": full.index,
    **{rp.label(c): full[c].map("{:.4f}".format) if c in ("brier", "log_loss") else full[c].map("{:.3f}".format)
       for c in full.columns}}), numeric=[rp.label(c) for c in full.columns],
    caption=f"{rp.plural(table.loc[shipped, 'n'], 'customer')} of {rp.day(r.plan.validation)}; threshold "
            f"{choice.threshold:.2f}. Also in artifacts/churn_metrics.csv.")

# %% [markdown]
# ## Appendix B: model details
# **The purchase model at each date.** BG/NBD's four parameters: r and alpha describe how often customers buy
# (the buying rates follow a gamma distribution with shape r and scale alpha, in weeks), a and b how likely they
# are to leave after each purchase (a beta distribution). "Pace of the next days" is how busy the churn horizon
# after the date is by the shop's calendar (1.00 = an average stretch).

# %%
pm = r.purchase_model
parameter_columns = [c for c in pm.columns if c not in ("set", "cutoff", "model", "calendar", "window_intensity",
                                                         "penalized")]
rp.show_static_table(pd.DataFrame({
    "Date": pm["set"], "Cutoff": pm["cutoff"].map(rp.day), "Model": pm["model"], "Shop calendar": pm["calendar"],
    f"Pace of the next {H} days": pm["window_intensity"].map("{:.2f}".format),
    **{c: pm[c].map("{:.3f}".format) for c in parameter_columns}}),
    numeric=[f"Pace of the next {H} days", *parameter_columns])
rp.show_markdown("**The logistic regression's weights** (on log-transformed, standardised features; odds ratio = "
                 "how the odds of churn multiply per standard deviation; overlap = variance inflation factor, above "
                 "5 the weight should not be read alone).")
rp.show_static_table(pd.DataFrame({
    "Feature": names,
    "Weight": coefficients["coefficient"].map("{:+.3f}".format),
    "Odds ratio": coefficients["odds_ratio"].map("{:.2f}".format),
    "Overlap (VIF)": [rp.number(v, 1) for v in coefficients["vif"]],
    "Most overlapping with": [r.feature_labels.get(f, "—") for f in coefficients["most_correlated_with"]],
    "Read with care": coefficients["caution"].replace("", "—"),
}), numeric=["Weight", "Odds ratio", "Overlap (VIF)"])
hyper = r.hyperparameters
if len(hyper):
    rp.show_static_table(pd.DataFrame({"Model": hyper["model"], "Setting": hyper["parameter"],
                                       "Chosen value": [f"{v:g}" for v in hyper["value"]]}),
                         caption="Settings chosen on the training dates by grouped cross-validation (Brier score)")

# %% [markdown]
# ## Appendix C: today's scores against the generator's truth

# %%
if r.truth is None:
    rp.show_markdown("*Skipped: only the generated data comes with the truth about what customers did after the last "
                     "day.*")
else:
    truth = r.truth
    rp.show_markdown(
        f"The generated data knows what every customer really did after the last day: "
        f"{rp.pct(r.truth_rate, 1)} of the {rp.plural(len(r.predictions), 'customer')} made no purchase in the next "
        f"{H} days. Against that outcome, today's scores of the shipped model and of each baseline (all refitted on "
        f"every date with a known outcome):")
    rp.show_static_table(pd.DataFrame({
        "Score": truth.index,
        "Ranking (ROC-AUC)": truth["roc_auc"].map("{:.3f}".format),
        "Brier score": truth["brier"].map("{:.4f}".format),
        "Mean predicted": truth["mean_predicted"].map(rp.pct),
        "Really bought nothing": truth["observed_rate"].map(rp.pct),
        "Off by": truth["drift"].map(rp.pct_points),
    }), numeric=["Ranking (ROC-AUC)", "Brier score", "Mean predicted", "Really bought nothing", "Off by"])
    rp.callout(r.truth_sentence(), title="Live scores against the truth")

# %% [markdown]
# ## Glossary

# %%
rp.show_glossary(title="Every term of this report", names=["churned", "churn_probability", "risk_band", "top_reasons", "out_of_time", "baseline", "bgnbd",
                  "shop_calendar", "calibrated", "brier", "roc_auc", "pr_auc", "log_loss", "lift_top_decile",
                  "model_margin", "margin_se", "threshold", "cost_per_customer", "accuracy", "precision", "recall",
                  "f1", "coefficient", "vif", "permutation_importance"])
