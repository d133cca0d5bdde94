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
# # Customer value: what our customers are worth
# What each customer is expected to bring over the coming months, how sure that forecast is, and where the
# value sits: by segment, by customer and by the month customers first bought.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("04_customer_value", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
cur, t, st = r.currency, r.totals, r.settings
months, margin = st["horizon_months"], st["margin"]
values, stake = r.values, r.stake
value_range = (f"90% range {rp.money(t['clv_low'], cur)} to {rp.money(t['clv_high'], cur)}"
               if np.isfinite(t["clv_low"]) else "no parameter range (no draws)")
bt = r.backtest_numbers
rp.kpi_cards([
    rp.KpiCard(f"Customer value, next {months} months", rp.money(t["clv"], cur),
               f"{rp.plural(t['customers'], 'customer')}; {value_range}",
               definition=rp.meaning("clv")),
    rp.KpiCard(f"Expected orders, next {months} months", rp.number(t["expected_purchases"]),
               f"backtest miss ±{bt['chosen']:.0%} on {bt['horizon_days']}-day totals" if bt is not None
               else "no backtest was possible",
               definition="Purchase days the model expects from all customers together over the horizon."),
    rp.KpiCard("Likely still active", rp.pct(t["active_share"], 0), r.active_note, definition=rp.meaning("p_alive")),
    rp.KpiCard("Top 20% of customers", rp.pct(t["top20_share"], 0), "of the total customer value",
               definition="The share of the total CLV held by the fifth of customers with the highest CLV."),
])
rp.callout(r.headline, title="What our customers are worth")

# %% [markdown]
# ## How the value is spread
# **Customer lifetime value (CLV)** here is the revenue a customer is expected to bring over the next months,
# discounted to today: the chance they are still a customer × the orders they would place × what they spend per
# order. Customers who have most likely left are worth close to nothing, so the scale is logarithmic.

# %%
clv_values = values["clv"]
fig = rp.log_histogram(clv_values, unit=f" {cur}")
rp.money_axis(fig, cur, axis="x")
fig.update_xaxes(tickformat=",~r", dtick=1)
rp.style_figure(fig, f"The median customer is worth {rp.money(clv_values.median(), cur)} over {months} months; "
                f"the average, {rp.money(clv_values.mean(), cur)}, is pulled up by a few large accounts",
                f"Customer lifetime value over {months} months ({cur}, log scale)", "Customers", 380, y_unit="count")
rp.show_figure(fig, "clv-histogram", note="Customers worth less than the smallest bar are counted in the first bar."
               + (f" The tall bar: {r.one_time_note}" if r.fitted.forecast.model_name == "bgnbd" and r.one_time_note
                  else ""))

# %% [markdown]
# **Value at stake** is what the business loses if a customer stops buying now: the margin on the revenue they
# would bring over the decision horizon *if they stay*. Unlike CLV it does not shrink with the chance that the
# customer has already left, and it never divides by that chance, so it stays bounded. The campaigns report weighs
# it by each customer's churn probability (the expected loss).

# %%
rp.show_markdown(f"Margin: **{rp.pct(margin, 0)}** of revenue (params `roi.economics.margin`); decision horizon: "
                 f"**{st['decision_horizon_months']} months** (params `decision.horizon_months`).")
fig = rp.log_histogram(stake["value_at_stake"], unit=f" {cur}", color=rp.ACCENT)
rp.money_axis(fig, cur, axis="x")
fig.update_xaxes(tickformat=",~r", dtick=1)
rp.style_figure(fig, f"Half the customers would take less than {rp.money(stake['value_at_stake'].median(), cur)} "
                f"of margin with them if they stopped; the top tenth more than "
                f"{rp.money(stake['value_at_stake'].quantile(0.9), cur)}",
                f"Value at stake over {st['decision_horizon_months']} months ({cur}, log scale)", "Customers", 380,
                y_unit="count")
rp.show_figure(fig, "value-at-stake-histogram")

# %% [markdown]
# ## Value by segment
# The RFM segments of the segmentation report. Averages are per customer of the segment, so every customer counts
# once; the last row is everyone.

# %%
seg = r.by_segment
named = seg.drop(index="All customers")
fig = go.Figure()
fig.add_bar(y=named.index, x=named["customers"] / t["customers"], orientation="h", name="Share of customers",
            marker_color=rp.NEUTRAL, hovertemplate="%{y}: %{x:.1%} of customers<extra></extra>")
fig.add_bar(y=named.index, x=named["clv_share"], orientation="h", name="Share of customer value",
            marker_color=rp.ACCENT, hovertemplate="%{y}: %{x:.1%} of the value<extra></extra>")
fig.update_layout(barmode="group")
fig.update_yaxes(autorange="reversed", title_text=None)
lead = named["clv_share"].idxmax()
rp.style_figure(fig, f"{lead} hold {rp.pct(named.loc[lead, 'clv_share'], 0)} of the customer value with "
                f"{rp.pct(named.loc[lead, 'customers'] / t['customers'], 0)} of the customers",
                "Share of all customers or of the total customer value", None, 60 + 34 * len(named), x_unit="share")
rp.show_figure(fig, "value-by-segment")
seg_table = seg.reset_index()[["Segment", "customers", "clv", "clv_share", "mean_clv", "median_clv",
                                "mean_value_at_stake", "mean_p_alive"]]
for column in ("clv", "mean_clv", "median_clv", "mean_value_at_stake"):
    seg_table[column] = [rp.money(v, cur, 0) for v in seg_table[column]]
rp.show_static_table(seg_table, labels=True, currency=cur)

# %% [markdown]
# ## The most valuable customers
# The ten customers with the highest CLV, with the low and high end of each value over the model's parameter
# uncertainty.

# %%
top = r.top_customers.copy()
for column in ("clv", "clv_p05", "clv_p95", "value_at_stake", "expected_order_value"):
    top[column] = [rp.money(v, cur, 0) for v in top[column]]
top["expected_purchases"] = [rp.number(v, 1) for v in top["expected_purchases"]]
rp.show_static_table(top, labels=True, currency=cur)

# %% [markdown]
# ## Which forecast model, and how well it forecasts
# Three "buy till you die" models compete: **BG/NBD** (a customer can leave only right after a purchase),
# **MBG/NBD** (also right after the first one) and **Pareto/NBD** (at any time). Each is fitted on the history up to
# an earlier date and asked to forecast the orders of the next days, which we know; this is repeated at several
# dates (a rolling **backtest**). The standard BG/NBD is kept unless another model beats it by more than the
# date-to-date noise. The table lists every forecast; the chosen model is marked.

# %%
rp.callout(r.model_sentence, title=f"The forecast model: {r.model_label}")
cand = r.candidates
if cand.empty:
    rp.show_markdown(f"No backtest table: {r.choice_reason}")
else:
    fig = go.Figure()
    for i, (name, rows) in enumerate(cand.groupby("model_label", sort=False)):
        fig.add_bar(x=[rp.day(c) for c in rows["cutoff"]], y=rows["total_error"], name=name,
                    marker_color=rp.PALETTE[i % len(rp.PALETTE)],
                    marker_line_width=[3 if c else 0 for c in rows["chosen"]], marker_line_color="#000000",
                    customdata=np.stack([rows["actual"], rows["forecast"]], axis=1),
                    hovertemplate=name + ", %{x}: %{y:+.1%} (forecast %{customdata[1]:,.0f}, actual "
                    "%{customdata[0]:,.0f})<extra></extra>")
    fig.add_hline(y=0, line_color="#333333")
    fig.update_layout(barmode="group")
    rp.style_figure(fig, f"The {r.fitted.forecast.model.label} forecasts missed the next "
                    f"{bt['horizon_days']} days' orders by {rp.pct(bt['chosen'])} on average",
                    "Backtest date (the model sees only the history up to it)",
                    "Forecast total ÷ actual total − 1", 400, y_unit="share")
    rp.show_figure(fig, "backtest-errors", note="Below zero: the forecast was too low. The chosen model's bars are "
                   "outlined.")
    card = cand.assign(chosen=np.where(cand["chosen"], "✓", ""), cutoff=[rp.day(c) for c in cand["cutoff"]])
    card = card[["cutoff", "model_label", "chosen", "actual", "forecast", "total_error", "mae", "capture_top10",
                 "capture_top20", "p_no_purchase", "no_purchase_share", "brier"]]
    rp.show_static_table(card.rename(columns={"p_no_purchase": "Predicted share with no order"}), labels=True,
                         units={"forecast": "count", "mae": "number", "brier": "number",
                                "Predicted share with no order": "share"},
                         csv_href="artifacts/forecast_backtest.csv", currency=cur)
    rp.show_markdown(
        f"**How to read it.** *Total error*: the forecast total of the next {bt['horizon_days']} days against the "
        "actual one. *Error per customer*: the average gap between a customer's forecast and actual orders. "
        "*Top 10% / 20% capture*: the share of the actual orders made by the customers the model ranked highest "
        "(how well it picks the right customers). *Predicted share with no order* (the mean of the customers' "
        "chances of no order) against the *observed share*: whether the probabilities are calibrated; the *Brier "
        "score* is their mean squared error. Every "
        "number, with the seasonal candidates, is in "
        "[forecast_backtest.csv](artifacts/forecast_backtest.csv).")

# %% [markdown]
# ## The shop's calendar

# %%
if r.seasonal_components:
    index = r.seasonal_index
    shown = [c for c in ("month", "weekday") if c in r.seasonal_components]
    for component in shown:
        rows = index[index["component"] == component]
        busiest = rows.loc[rows["intensity"].idxmax()]
        quietest = rows.loc[rows["intensity"].idxmin()]
        fig = go.Figure(go.Bar(x=rows["period"], y=rows["intensity"],
                               marker_color=[rp.ACCENT if v >= 1 else rp.NEUTRAL for v in rows["intensity"]],
                               hovertemplate="%{x}: %{y:.2f} × an average day<extra></extra>"))
        fig.add_hline(y=1, line_dash="dot", line_color="#333333")
        rp.style_figure(fig, f"{busiest['period']} is the busiest {component} ({busiest['intensity']:.2f} × an "
                        f"average day), {quietest['period']} the quietest ({quietest['intensity']:.2f} ×)",
                        None, "Purchases relative to an average day (1 = average)", 340)
        rp.show_figure(fig, f"seasonal-index-{component}")
    rp.show_markdown(
        "The forecast follows this calendar: the models count time in *busy days* (a November day counts for more "
        "than a January day), so a forecast over the next months expects more orders in the busy ones. "
        f"{r.seasonality_note}")
else:
    rp.show_markdown(f"No seasonal calendar is used. {r.seasonality_note}")

# %% [markdown]
# ## Cohort value curves
# A **cohort** is the customers who first bought in the same month. Each line is the cohort's cumulative margin
# per customer since that month: observed up to the as-of date (solid), then extended by the forecast (dashed) with
# its 90% range from the model's parameter uncertainty (shaded). Steep curves are cohorts that keep buying.

# %%
curves = r.cohorts
shown = r.cohorts_shown
n_cohorts, small = curves["cohort"].nunique(), r.small_cohorts
small_customers = int(curves[curves["cohort"].isin(small)].groupby("cohort")["customers"].first().sum())
if shown:
    fig = go.Figure()
    for i, name in enumerate(shown):
        color = rp.PALETTE[i % len(rp.PALETTE)]
        rows = curves[curves["cohort"] == name]
        seen, ahead = rows[rows["period"] == "observed"], rows[rows["period"] == "forecast"]
        joined = pd.concat([seen.tail(1), ahead])
        label = f"{name} ({rp.plural(rows['customers'].iloc[0], 'customer')})"
        months_axis = list(joined["months_since_acquisition"])
        fig.add_scatter(x=months_axis + months_axis[::-1], y=list(joined["upper"]) + list(joined["lower"])[::-1],
                        fill="toself", fillcolor=color, opacity=0.15, line_width=0, hoverinfo="skip",
                        showlegend=False, legendgroup=name)
        fig.add_scatter(x=seen["months_since_acquisition"], y=seen["cumulative_margin_per_customer"],
                        name=label, mode="lines", line={"color": color, "width": 2}, legendgroup=name,
                        hovertemplate=name + ", month %{x}: %{y:,.2f} " + cur
                        + " per customer (observed)<extra></extra>")
        fig.add_scatter(x=joined["months_since_acquisition"], y=joined["cumulative_margin_per_customer"],
                        mode="lines", line={"color": color, "width": 2, "dash": "dash"}, legendgroup=name,
                        showlegend=False, customdata=np.stack([joined["lower"], joined["upper"]], axis=1),
                        hovertemplate=name + ", month %{x}: %{y:,.2f} " + cur
                        + " per customer (forecast; 90% range %{customdata[0]:,.2f} to %{customdata[1]:,.2f})"
                        "<extra></extra>")
    first = curves[curves["cohort"] == shown[0]]
    gain = (first["cumulative_margin_per_customer"].iloc[-1]
            - first.loc[first["period"] == "observed", "cumulative_margin_per_customer"].iloc[-1])
    rp.style_figure(fig, f"The {shown[0]} cohort is expected to add {rp.money(gain, cur)} of margin per "
                    f"customer over the next {months} months", "Months since the cohort's first purchase",
                    f"Cumulative margin per customer ({cur})", 460, y_unit="money")
    rp.show_figure(fig, "cohort-curves", note=" ".join(part for part in (
        f"Margin = {rp.pct(margin, 0)} of revenue.",
        f"{len(shown)} of the {n_cohorts} monthly cohorts, evenly spread."
        if len(shown) + len(small) < n_cohorts else "",
        f"Left out as too small for a curve: {rp.plural(len(small), 'cohort')} with "
        f"{rp.plural(small_customers, 'customer')} ({', '.join(small)})." if small else "",
        "Every cohort is in cohort_value_curves.csv.") if part))
else:
    which = "no monthly cohort has" if n_cohorts == 0 else f"each of the {rp.plural(n_cohorts, 'monthly cohort')} has"
    rp.show_markdown(f"No cohort curve is drawn: {which} too few customers for a curve. Every cohort is in "
                     "cohort_value_curves.csv.")

# %% [markdown]
# ## How sure we are

# %%
notes = [r.certainty_sentence]
if r.one_time_note:
    notes.append(r.one_time_note)
corr, limit = r.spend_frequency_corr, st["max_spend_frequency_corr"]
if np.isfinite(corr):
    notes.append(
        f"The spend model assumes that how often a customer buys says nothing about how much they spend per order: "
        f"among repeat buyers the two correlate at {corr:.2f}, "
        + ("within" if abs(corr) <= limit else "beyond") + f" the ±{limit:g} the params tolerate"
        + ("." if abs(corr) <= limit else ", so read the order values with care."))
rp.show_markdown("\n\n".join(notes))
if r.plain_warnings:
    rp.callout(" ".join(r.plain_warnings), title="What the data cannot pin down", tone="warning")
if r.previous_notes:
    rp.show_markdown(f"The same model fitted one churn horizon earlier ({rp.day(r.previous_as_of)}, the previous "
                     f"period of the campaigns report): " + " ".join(r.previous_notes))

# %% [markdown]
# ## Appendix: the fitted models
# The parameters of the purchase model and of the spend model, with their standard errors (from the curvature of
# the likelihood; "—" where the data cannot pin a parameter down). They are descriptions of the customer base, not
# rules about any one customer.

# %%
unit_name = {"D": "days", "W": "weeks"}[st["unit"]]
rp.show_static_table(r.parameters, labels=True, units={"estimate": "number", "standard_error": "number"})
rp.show_markdown(
    f"Time unit of the purchase model: **{unit_name}**. CLV horizon: **{months} months**, discounted at "
    f"**{rp.pct(st['discount_rate_monthly'])} a month**. Value ranges: **{st['uncertainty_draws']} draws** of the "
    "parameters from their estimated uncertainty (the model choice and the calendar are taken as known). "
    f"What the library decided, in full: {r.fitted.note}")

# %% [markdown]
# ## Appendix: the forecast against what happened

# %%
if r.truth is not None:
    truth = r.truth.set_index("measure")
    names = {"purchases_365d": "Orders in the next 365 days", "purchases_90d": "Orders in the next 90 days",
             "spend_365d": f"Spend in the next 365 days ({cur}, undiscounted)",
             "no_purchase_share_90d": "Share of customers with no order in the next 90 days"}
    shown_truth = pd.DataFrame({
        "Measure": [names[m] for m in truth.index],
        "Forecast": [rp.pct(v) if m.startswith("no_purchase") else rp.money(v, cur) if m.startswith("spend")
                     else rp.number(v) for m, v in truth["forecast"].items()],
        "Truth": [rp.pct(v) if m.startswith("no_purchase") else rp.money(v, cur) if m.startswith("spend")
                  else rp.number(v) for m, v in truth["truth"].items()],
        "Difference": [f"{v:+.1%}" for v in truth["error"]]})
    rp.show_static_table(shown_truth, numeric=["Forecast", "Truth", "Difference"])
    year = truth.loc["purchases_365d", "error"]
    rp.callout(
        f"The default data is generated, so the next year is known. The model forecast "
        f"{rp.number(truth.loc['purchases_365d', 'forecast'])} orders over the next 365 days; the customers really "
        f"placed {rp.number(truth.loc['purchases_365d', 'truth'])} ({year:+.1%}, "
        f"{'within' if abs(year) <= 0.1 else 'outside'} ±10%). Customer by customer the forecast orders correlate "
        f"{r.truth_numbers['purchases_correlation']:.2f} with the true ones, and the forecast spend "
        f"{r.truth_numbers['spend_correlation']:.2f} with the true spend.",
        title="Forecast against the generator's truth")
else:
    rp.show_markdown("This data has no known future, so the backtest is the check: each model's forecasts at earlier "
                     "dates against what the customers then did (the section on the forecast model above, every "
                     "number in [forecast_backtest.csv](artifacts/forecast_backtest.csv)).")
    if not cand.empty:
        windows = cand.drop_duplicates("cutoff")
        compare = pd.DataFrame({
            "Backtest window": [f"{rp.day(c)} to {rp.day(c + pd.Timedelta(days=bt['horizon_days']))}"
                                for c in windows["cutoff"]],
            "Actual orders": [rp.number(v) for v in windows["actual"]]})
        for name, rows in cand.groupby("model_label", sort=False):
            cells = {c: f"{rp.number(f)} ({e:+.1%})"
                     for c, f, e in zip(rows["cutoff"], rows["forecast"], rows["total_error"], strict=True)}
            compare[name + (" (chosen)" if rows["chosen"].any() else "")] = [cells.get(c, "—")
                                                                            for c in windows["cutoff"]]
        rp.show_static_table(compare, numeric=list(compare.columns[1:]))
        rp.show_markdown("Forecast orders of each model, and in brackets its error against the actual orders.")

# %% [markdown]
# ## Appendix: files and terms
# [forecast_backtest.csv](artifacts/forecast_backtest.csv): every backtest forecast (cutoff, model, seasonal or not,
# actual and forecast orders, the error measures). [cohort_value_curves.csv](artifacts/cohort_value_curves.csv):
# cumulative margin per customer by cohort and month, observed and forecast, with the 90% range.
# [value_summary.json](artifacts/value_summary.json): the model, its choice and the totals. The per-customer values
# go to the campaigns report, whose customer list holds every column.

# %%
rp.show_glossary(["clv", "clv_p05", "p_alive", "p_no_purchase", "expected_purchases", "expected_order_value",
                  "expected_revenue_if_alive", "value_at_stake", "parameter_interval", "bgnbd", "mbgnbd",
                  "pareto_nbd", "gamma_gamma", "backtest", "total_error", "mae", "capture_top10", "brier",
                  "seasonal_index", "cohort"])
