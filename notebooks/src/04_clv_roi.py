# %% [markdown]
# # Lifetime value and campaign ROI
# What each customer is worth over the coming months, how much of that value is at risk of churning,
# and which retention campaign pays for itself under which assumptions.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from retention import clv, pipeline, privacy, roi
from retention import report as rp
from retention.params import load_params

params = load_params(params_file)
cp = params["clv"]
prepared = pipeline.load_prepared(output_dir)
tx, info = prepared.transactions, prepared.info
currency = params["data"]["currency"]
salt = privacy.id_salt(params)
end = pd.Timestamp(info["end_date"])
unit, unit_name = cp["time_unit"], {"D": "days", "W": "weeks"}[cp["time_unit"]]
rp.setup_notebook(info, params_file)

churn_horizon = params["churn"]["horizon_days"]
fitted = clv.fit_customer_values(
    tx, end, unit=unit, penalizer=cp["penalizer"], horizon_months=cp["horizon_months"],
    discount_rate_monthly=cp["discount_rate_monthly"], churn_horizon_days=churn_horizon)
values, bgnbd, gamma_gamma, summary = fitted.values, fitted.forecast.model, fitted.gamma_gamma, fitted.summary
repeaters = summary[summary["frequency"] > 0]
segments_table = pipeline.read_stage(output_dir, "segments")
churn = pipeline.read_stage(output_dir, "churn")
customers = segments_table[["Segment", "Monetary", "Country"]].join(values).join(churn[["churn_probability", "risk_band"]])
customers["revenue_at_risk"] = customers["churn_probability"] * customers["value_if_active"]
at_risk_total = customers["revenue_at_risk"].sum()
top20 = customers["clv"].sort_values(ascending=False)
top20_share = top20.iloc[: int(np.ceil(0.2 * len(top20)))].sum() / top20.sum()

# %%
rp.kpi_cards([
    (f"Expected revenue, next {cp['horizon_months']} months", rp.money(customers["clv"].sum(), currency),
     f"discounted at {rp.pct(cp['discount_rate_monthly'])} a month"),
    ("Revenue at risk", rp.money(at_risk_total, currency),
     f"churn probability × value if retained ({churn_horizon}-day churn)"),
    ("Top 20% of customers", rp.pct(top20_share), "of the expected future value"),
    ("Still active (P(alive) > 0.5)", rp.pct((customers["p_alive"] > 0.5).mean()), f"{bgnbd.label} estimate"),
])
rp.callout(
    f"Over the next {cp['horizon_months']} months the {rp.number(len(customers))} customers are expected to bring "
    f"{rp.money(customers['clv'].sum(), currency)} (discounted at {rp.pct(cp['discount_rate_monthly'])} a month). "
    f"{rp.money(at_risk_total, currency)} of that value sits with customers likely to churn: that is the revenue "
    f"at risk a retention campaign can defend. The value is concentrated: the top 20% of customers hold "
    f"{rp.pct(top20_share)} of it."
)

# %% [markdown]
# ## The model behind the values
# Each customer's future is forecast with the standard buy-till-you-die pair: the **BG/NBD** model
# (Fader, Hardie & Lee 2005) for how often a customer buys and when they silently stop, and the
# **Gamma-Gamma** model (Fader & Hardie 2013) for how much they spend per purchase. Both are fitted by
# maximum likelihood on every customer's history (a purchase is a distinct purchase day; time in
# the unit below). Our implementation reproduces the papers' published estimates on the CDNOW data
# (checked in the test suite).

# %%
fit_table = pd.DataFrame({
    "Model": [bgnbd.label] * 4 + ["Gamma-Gamma"] * 3,
    "Parameter": list(bgnbd.params_) + list(gamma_gamma.params_),
    "Estimate": [f"{v:.4g}" for v in list(bgnbd.params_.values()) + list(gamma_gamma.params_.values())],
    "Standard error": [f"{v:.3g}" for v in list(bgnbd.standard_errors_.values())
                       + list(gamma_gamma.standard_errors_.values())],
})
rp.show_static_table(fit_table, numeric=["Estimate", "Standard error"])
corr = clv.spend_frequency_correlation(repeaters["frequency"], repeaters["monetary_value"])
rp.show_markdown(
    f"Time unit: **{unit_name}**; CLV horizon: **{cp['horizon_months']} months**; discount rate: "
    f"**{rp.pct(cp['discount_rate_monthly'])} per month**; {rp.number(len(repeaters))} repeat buyers fit the spend model. "
    f"Log-likelihood of the {bgnbd.label} fit: {bgnbd.log_likelihood_:,.1f}.")
rp.show_markdown(f"**Model and calendar.** {fitted.note}")
if abs(corr) > cp["max_spend_frequency_corr"]:
    rp.callout(f"Purchase frequency and average spend are correlated (r = {corr:.2f}); the Gamma-Gamma model "
               f"assumes they are independent, so its spend forecasts are less reliable here.", title="Warning")
else:
    rp.show_markdown(f"The Gamma-Gamma model assumes purchase frequency and spend per purchase are independent: "
                     f"their correlation among repeat buyers is {corr:.2f}, within the ±{cp['max_spend_frequency_corr']} "
                     f"tolerance.")

# %% [markdown]
# ## Does the model forecast well? A holdout check
# The model is refitted on the data up to the start of the last days (the calibration period) and
# asked to forecast the held-out days. The bars compare forecast and actual purchases per customer,
# grouped by how many repeat purchases the customer made in the calibration period; the line tracks
# cumulative repeat purchases of all customers over time.

# %%
cal_end = end - pd.Timedelta(days=cp["holdout_days"])
holdout = clv.calibration_holdout_summary(tx, cal_end, end, unit=unit)
bg_cal = clv.BetaGeoModel(penalizer=cp["penalizer"]).fit(holdout["frequency"], holdout["recency"], holdout["T"])
by_frequency = clv.holdout_by_frequency(holdout, bg_cal)
predicted_total = float((by_frequency["predicted"] * by_frequency["customers"]).sum())
actual_total = float(holdout["frequency_holdout"].sum())
bias = predicted_total / actual_total - 1
fig = go.Figure()
fig.add_bar(x=by_frequency["frequency"], y=by_frequency["actual"], name="Actual", marker_color=rp.PALETTE[0],
            customdata=by_frequency["customers"], hovertemplate="%{x} repeats: actual %{y:.2f} (%{customdata:,} customers)<extra></extra>")
fig.add_bar(x=by_frequency["frequency"], y=by_frequency["predicted"], name="BG/NBD forecast", marker_color=rp.PALETTE[1],
            hovertemplate="%{x} repeats: forecast %{y:.2f}<extra></extra>")
direction = "under" if bias < 0 else "over"
rp.style_figure(fig, f"The model {direction}-forecasts holdout purchases by {rp.pct(abs(bias))} overall",
                "Repeat purchases in the calibration period", f"Purchases per customer in the {cp['holdout_days']}-day holdout", 400)
rp.show_figure(fig, "holdout-by-frequency")

track = clv.repeat_purchase_tracking(tx, bg_cal, cal_end, end, unit=unit)
fig = go.Figure()
fig.add_scatter(x=track["date"], y=track["actual"], name="Actual", line_color=rp.PALETTE[0],
                hovertemplate="%{x|%d %b %Y}: %{y:,} actual<extra></extra>")
fig.add_scatter(x=track["date"], y=track["predicted"], name="BG/NBD forecast", line={"color": rp.PALETTE[1], "dash": "dash"},
                hovertemplate="%{x|%d %b %Y}: %{y:,.0f} forecast<extra></extra>")
fig.add_vline(x=cal_end.strftime("%Y-%m-%d"), line_dash="dot", line_color="#888")
fig.update_xaxes(tickformat="%b %Y")
rp.style_figure(fig, f"Cumulative repeat purchases: forecast vs actual (holdout after {rp.day(cal_end)})",
                "Date", "Cumulative repeat purchases (calibration cohort)", 400)
rp.show_figure(fig, "tracking")
rp.show_markdown(
    f"Over the {cp['holdout_days']}-day holdout the model forecast **{predicted_total:,.0f}** repeat purchases against "
    f"**{actual_total:,.0f}** actual ({'+' if bias >= 0 else ''}{rp.pct(bias)}). The BG/NBD assumes each customer's "
    f"purchase rate is constant over time: when the holdout is busier than the calibration period (a seasonal peak, "
    f"see the monthly activity in the EDA report) it under-forecasts, when it is quieter it over-forecasts. "
    f"{'The miss here is large, so read' if abs(bias) > 0.1 else 'Read'} the CLV "
    f"figures below as a ranking of customers first and as money second.")

# %% [markdown]
# ## Who is still active: P(alive)
# The probability that a customer is still active, by the number of repeat purchases and the time of
# the last one (for a customer whose first purchase was at the start of the data). Frequent buyers who
# have been quiet for a long time are the least likely to still be active.

# %%
alive = clv.probability_alive_matrix(bgnbd, T=float(summary["T"].max()),
                                     max_frequency=int(min(20, summary["frequency"].quantile(0.99))))
fig = go.Figure(go.Heatmap(z=alive.to_numpy(), x=alive.columns, y=alive.index, colorscale="RdYlBu", zmin=0, zmax=1,
                           colorbar={"title": "P(alive)"},
                           hovertemplate="%{y} repeats, last at %{x} " + unit_name + ": P(alive) %{z:.2f}<extra></extra>"))
rp.style_figure(fig, "Frequent buyers who went quiet are the least likely to still be active",
                f"Time of the last purchase ({unit_name} after the first)", "Repeat purchases", 440)
rp.show_figure(fig, "p-alive")

# %% [markdown]
# ## How value is spread
# The distribution of customer lifetime value over the horizon and the Pareto curve: what share of
# the total future value the most valuable customers hold.

# %%
fig = rp.log_histogram(customers["clv"], unit=f" {currency}")
rp.style_figure(fig, f"Median customer value is {rp.money(customers['clv'].median(), currency)}; the mean, "
                f"{rp.money(customers['clv'].mean(), currency)}, is pulled up by a few large accounts",
                f"CLV over {cp['horizon_months']} months ({currency}, log scale)", "Customers", 380)
rp.show_figure(fig, "clv-histogram")

pareto = np.cumsum(top20.to_numpy()) / top20.sum()
share = np.arange(1, len(pareto) + 1) / len(pareto)
step = max(1, len(pareto) // 400)
fig = go.Figure(go.Scatter(x=share[::step] * 100, y=pareto[::step] * 100, mode="lines", line_color=rp.PALETTE[0],
                           hovertemplate="top %{x:.0f}% of customers: %{y:.0f}% of value<extra></extra>"))
fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line={"dash": "dot", "color": "#999"}, name="equal shares",
                hoverinfo="skip")
fig.update_layout(showlegend=False)
rp.style_figure(fig, f"The top 20% of customers hold {rp.pct(top20_share)} of future value",
                "Customers ranked by CLV (cumulative %)", "Share of total CLV (%)", 400)
rp.show_figure(fig, "pareto")

# %% [markdown]
# ## Value and revenue at risk by segment
# **Revenue at risk** of a customer = the churn model's probability that they make no purchase in the
# next days of the churn horizon × the value they would bring over the CLV horizon if they stay active
# (CLV ÷ P(alive)). Summed over customers it is the expected revenue a perfect retention effort could
# defend; it is not revenue already lost.

# %%
by_segment = customers.groupby("Segment").agg(customers=("clv", "size"), clv=("clv", "sum"),
                                              revenue_at_risk=("revenue_at_risk", "sum"),
                                              mean_churn=("churn_probability", "mean"))
by_segment = by_segment.sort_values("revenue_at_risk", ascending=False)
fig = go.Figure()
fig.add_bar(y=by_segment.index, x=by_segment["clv"], name=f"CLV, next {cp['horizon_months']} months",
            orientation="h", marker_color=rp.PALETTE[0], hovertemplate="%{y}: CLV %{x:,.0f}<extra></extra>")
fig.add_bar(y=by_segment.index, x=by_segment["revenue_at_risk"], name="Revenue at risk", orientation="h",
            marker_color=rp.PALETTE[3], hovertemplate="%{y}: at risk %{x:,.0f}<extra></extra>")
fig.update_layout(barmode="group")
fig.update_yaxes(autorange="reversed")
lead = by_segment.iloc[0]
rp.style_figure(fig, f"{lead.name} hold the most revenue at risk ({rp.money(lead['revenue_at_risk'], currency)})",
                currency, None, 500)
rp.show_figure(fig, "segment-value-risk")
rp.show_static_table(pd.DataFrame({
    "Segment": by_segment.index, "Customers": by_segment["customers"].map(rp.number),
    "Mean churn probability": by_segment["mean_churn"].map(rp.pct),
    f"CLV ({currency})": by_segment["clv"].map(lambda v: rp.money(v, currency, 0)),
    f"Revenue at risk ({currency})": by_segment["revenue_at_risk"].map(lambda v: rp.money(v, currency, 0)),
    "Share of revenue at risk": (by_segment["revenue_at_risk"] / at_risk_total).map(rp.pct),
}), numeric=["Customers", "Mean churn probability", f"CLV ({currency})", f"Revenue at risk ({currency})",
             "Share of revenue at risk"])

stage = values.join(customers[["revenue_at_risk"]])
_ = pipeline.write_stage(stage, output_dir, "clv")
_ = pipeline.write_enhanced(output_dir, "clv", id_map=lambda ids: privacy.pseudonymise(ids, salt))

# %%
truth = pipeline.load_truth(params)
if truth is not None:
    known = truth.loc[customers.index]
    forecast = fitted.forecast.expected_purchases(365).to_numpy()
    purchases_corr = np.corrcoef(forecast, known["purchases_next_365d"])[0, 1]
    undiscounted = clv.forecast_value_table(fitted.forecast, gamma_gamma, horizon_months=12,
                                            discount_rate_monthly=0.0)["clv"]
    spend_corr = np.corrcoef(undiscounted, known["spend_next_365d"])[0, 1]
    rp.callout(
        f"The default data is generated, so the next year is known. Forecast purchases over the next 12 months: "
        f"{forecast.sum():,.0f}; what the customers really did: {known['purchases_next_365d'].sum():,.0f} "
        f"({'+' if forecast.sum() >= known['purchases_next_365d'].sum() else ''}"
        f"{rp.pct(forecast.sum() / known['purchases_next_365d'].sum() - 1)}). Customer by customer the forecast "
        f"correlates {purchases_corr:.2f} with the true purchases, and the undiscounted 12-month CLV "
        f"{spend_corr:.2f} with the true spend ({rp.money(undiscounted.sum(), currency)} forecast vs "
        f"{rp.money(known['spend_next_365d'].sum(), currency)} true). The ranking of customers is what the "
        f"campaigns below rely on.",
        title="CLV against the generator's truth")

# %% [markdown]
# ## Which campaign pays
# Each campaign targets a list of customers with an offer. Its economics are counted honestly, per
# customer: **saved revenue** only comes from customers who would have churned (churn probability ×
# uplift × value if retained); the discount is a **cost on every redeemer**, including the customers who
# would have bought anyway (the wasted budget); contact and set-up costs are added; net profit is the
# margin on saved revenue minus all costs. The assumptions (uplift, redemption, margin, costs) come from
# the params file and are illustrative until a holdout test measures the uplift.

# %%
rp_ = params["roi"]
economics = rp_["economics"]
campaigns = roi.campaigns_from_dicts(
    [{**c, **(rp_["scenario"] if c["name"] == rp_["chosen_campaign"] else {})} for c in rp_["campaigns"]],
    defaults=economics)
pool = customers.rename(columns={"value_if_active": "expected_value"})[
    ["churn_probability", "expected_value", "Segment", "risk_band", "Monetary"]]
table = roi.roi_table(pool, campaigns).reset_index()
best = table.sort_values("net_profit", ascending=False).iloc[0]
view = pd.DataFrame({
    "Campaign": table["campaign"], "Targets": table["targeted"].map(rp.number),
    "Revenue at risk": table["revenue_at_risk"].map(lambda v: rp.money(v, currency, 0)),
    "Saved revenue": table["saved_revenue"].map(lambda v: rp.money(v, currency, 0)),
    "Total cost": table["total_cost"].map(lambda v: rp.money(v, currency, 0)),
    "Wasted discounts": table["discount_cost_wasted"].map(lambda v: rp.money(v, currency, 0)),
    "Net profit": table["net_profit"].map(lambda v: rp.money(v, currency, 0)),
    "ROI": table["roi"].map(rp.pct),
    "Break-even uplift": table["break_even_uplift"].map(lambda v: rp.pct(v) if np.isfinite(v) else "never"),
    "Uplift": table["uplift"].map(rp.pct),
})
rp.show_static_table(view, numeric=[c for c in view.columns if c != "Campaign"])
rp.callout(
    f"Under the base assumptions the best campaign is {best['campaign']}: {rp.number(best['targeted'])} customers, "
    f"{rp.money(best['total_cost'], currency)} cost, {rp.money(best['net_profit'], currency)} expected net profit "
    f"(ROI {rp.pct(best['roi'])}). A campaign pays only if its real uplift beats the break-even uplift in the table: "
    f"that is the number to test with a holdout group before rolling out.", title="The campaign that pays")
fig = go.Figure(go.Bar(x=table["campaign"], y=table["net_profit"],
                       marker_color=[rp.PALETTE[2] if v >= 0 else rp.PALETTE[3] for v in table["net_profit"]],
                       customdata=np.stack([table["roi"] * 100, table["targeted"]], axis=1),
                       hovertemplate="%{x}: net %{y:,.0f} " + currency
                       + ", ROI %{customdata[0]:.0f}%, %{customdata[1]:,} targets<extra></extra>"))
rp.style_figure(fig, f"{best['campaign']} earns the most under base assumptions", None,
                f"Expected net profit ({currency})", 380)
rp.show_figure(fig, "campaign-profit")

# %% [markdown]
# ## How many customers to target
# Customers ranked by their own expected net profit under the chosen campaign's offer; the curve adds
# them one by one. Past the peak, every extra contact costs more than it saves.

# %%
chosen = next(c for c in campaigns if c.name == rp_["chosen_campaign"])
offer, base = chosen.offer, chosen.assumptions
curve = roi.profit_curve(pool, offer, base)
best_n, best_profit = roi.best_n(curve)
step = max(1, len(curve) // 500)
fig = go.Figure(go.Scatter(x=curve["N"][::step], y=curve["cumulative_net_profit"][::step], mode="lines",
                           line_color=rp.PALETTE[0], hovertemplate="top %{x:,}: net %{y:,.0f}<extra></extra>"))
fig.add_vline(x=best_n, line_dash="dot", line_color=rp.PALETTE[3])
rp.style_figure(fig, f"Targeting the best {rp.number(best_n)} customers maximises net profit at "
                f"{rp.money(best_profit, currency)} (offer of the {chosen.name} campaign)",
                "Customers targeted (ranked by expected net profit)", f"Cumulative net profit ({currency})", 400)
rp.show_figure(fig, "profit-curve")

# %% [markdown]
# ## What if: discount, number of targets and uplift
# Move the slider to change the discount; the heat map shows the net profit of targeting the top N
# customers by expected loss (columns) for each uplift (rows). Hover for the ROI. Every combination is
# precomputed, so this works in the static report; for an exact rerun of one scenario set
# `roi.scenario` in the params (or `papermill -y "overrides: ..."`).

# %%
discounts, uplifts = rp_["what_if_discounts"], rp_["what_if_uplifts"]
top_ns = [n for n in rp_["what_if_top_n"] if n <= len(pool)] or [len(pool)]
whatif = roi.what_if_grid(pool, offer, base, discounts, top_ns, uplifts)
zmax = float(np.nanmax(np.abs(whatif["net_profit"])))
fig = go.Figure()
for i, d in enumerate(discounts):
    cell = whatif[whatif["discount"] == d].pivot(index="uplift", columns="top_n", values="net_profit")
    roi_cell = whatif[whatif["discount"] == d].pivot(index="uplift", columns="top_n", values="roi")
    fig.add_heatmap(z=cell.to_numpy(), x=[str(n) for n in cell.columns], y=[rp.pct(u, 0) for u in cell.index],
                    customdata=roi_cell.to_numpy() * 100, visible=(i == len(discounts) // 2),
                    colorscale="RdBu", zmid=0, zmin=-zmax, zmax=zmax, colorbar={"title": f"Net ({currency})"},
                    texttemplate="%{z:,.0f}", hovertemplate="top %{x}, uplift %{y}: net %{z:,.0f}, ROI "
                    "%{customdata:.0f}%<extra></extra>")
steps = [{"method": "update", "label": rp.pct(d, 0),
          "args": [{"visible": [j == i for j in range(len(discounts))]},
                   {"title.text": f"Net profit with a {rp.pct(d, 0)} discount"}]} for i, d in enumerate(discounts)]
fig.update_layout(sliders=[{"active": len(discounts) // 2, "steps": steps, "currentvalue": {"prefix": "Discount: "},
                            "pad": {"t": 50}}])
rp.style_figure(fig, f"Net profit with a {rp.pct(discounts[len(discounts) // 2], 0)} discount",
                "Customers targeted (top N by expected loss)", "Uplift (share of churners saved)", 520)
rp.show_figure(fig, "what-if")

# %% [markdown]
# ## How sure are we? Scenarios, tornado and Monte Carlo
# The chosen campaign under pessimistic, base and optimistic assumptions (each assumption at the bad
# or good end of its range in the params); which assumption moves the result most (tornado: one at a
# time, the others at base); the net profit over the discount × uplift plane; and a Monte Carlo that
# draws all assumptions at once from their ranges to give the probability that the campaign loses money.

# %%
ranges = {k: tuple(v) for k, v in rp_["ranges"].items()}
scenarios = roi.scenarios_from_ranges(ranges)
scen = roi.scenario_table(pool, chosen, scenarios).reset_index()
rp.show_static_table(pd.DataFrame({
    "Scenario": scen["scenario"], "Uplift": scen["uplift"].map(rp.pct), "Discount": scen["discount"].map(rp.pct),
    "Redemption": scen["redemption_rate"].map(rp.pct), "Margin": scen["margin"].map(rp.pct),
    "Net profit": scen["net_profit"].map(lambda v: rp.money(v, currency, 0)), "ROI": scen["roi"].map(rp.pct),
}), numeric=["Uplift", "Discount", "Redemption", "Margin", "Net profit", "ROI"])

torn = roi.tornado(pool, chosen, offer, base, ranges)
base_net = float(torn["base_net_profit"].iloc[0])
fig = go.Figure()
fig.add_bar(y=torn["parameter"], x=torn["net_profit_low"] - base_net, base=base_net, orientation="h",
            name="Low end of range", marker_color=rp.PALETTE[3],
            customdata=torn["low"], hovertemplate="%{y} at %{customdata}: net %{x:,.0f}<extra></extra>")
fig.add_bar(y=torn["parameter"], x=torn["net_profit_high"] - base_net, base=base_net, orientation="h",
            name="High end of range", marker_color=rp.PALETTE[2],
            customdata=torn["high"], hovertemplate="%{y} at %{customdata}: net %{x:,.0f}<extra></extra>")
fig.add_vline(x=base_net, line_color="#333")
fig.update_layout(barmode="overlay")
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"{torn.iloc[0]['parameter'].replace('_', ' ').capitalize()} moves the net profit most",
                f"Net profit ({currency}); the line is the base case", None, 380)
rp.show_figure(fig, "tornado")

plane = roi.grid(pool, chosen, offer, base, np.linspace(*ranges.get("discount", (0.05, 0.3)), 11),
                 np.linspace(*ranges.get("uplift", (0.02, 0.3)), 11))
heat = plane.pivot(index="uplift", columns="discount", values="net_profit")
zlim = float(np.abs(heat.to_numpy()).max())
fig = go.Figure(go.Heatmap(z=heat.to_numpy(), x=[rp.pct(d, 1) for d in heat.columns],
                           y=[rp.pct(u, 1) for u in heat.index], colorscale="RdBu", zmid=0, zmin=-zlim, zmax=zlim,
                           colorbar={"title": f"Net ({currency})"},
                           hovertemplate="discount %{x}, uplift %{y}: net %{z:,.0f}<extra></extra>"))
rp.style_figure(fig, "Deeper discounts need a larger uplift to pay (blue pays, red loses)", "Discount",
                "Uplift", 460)
rp.show_figure(fig, "discount-uplift")

draws = roi.monte_carlo(pool, chosen, offer, ranges, n_draws=rp_["monte_carlo_draws"], seed=rp_["seed"],
                        assumptions=base)
p_loss = roi.probability_of_loss(draws)
fig = px.histogram(draws, x="net_profit", nbins=60, color_discrete_sequence=[rp.PALETTE[0]])
fig.add_vline(x=0, line_color=rp.PALETTE[3])
fig.update_traces(hovertemplate="net %{x}: %{y:,} draws<extra></extra>")
rp.style_figure(fig, f"The campaign loses money in {rp.pct(p_loss)} of {rp.number(len(draws))} draws",
                f"Net profit ({currency})", "Draws", 380)
rp.show_figure(fig, "monte-carlo")
pessimistic = scen.set_index("scenario").loc["pessimistic"]
_ = pipeline.write_work_json({
    "best_campaign": best["campaign"], "best_targets": int(best["targeted"]), "best_net_profit": float(best["net_profit"]),
    "best_roi": float(best["roi"]), "best_break_even_uplift": float(best["break_even_uplift"]),
    "chosen_campaign": chosen.name, "chosen_net_base": float(base_net), "chosen_net_pessimistic": float(pessimistic["net_profit"]),
    "chosen_p_loss": float(p_loss), "chosen_targets": int(roi.campaign_summary(pool, chosen)["targeted"]),
    "profit_max_n": int(best_n), "profit_max_net": float(best_profit),
}, output_dir, "roi_summary")
rp.show_markdown(f"Median net profit over the draws: **{rp.money(draws['net_profit'].median(), currency)}**; "
                 f"5th–95th percentile: {rp.money(draws['net_profit'].quantile(0.05), currency)} to "
                 f"{rp.money(draws['net_profit'].quantile(0.95), currency)}. Each assumption is drawn uniformly "
                 f"and independently within its range (seed {rp_['seed']}).")

# %% [markdown]
# ## Files for finance and the CRM team
# `roi_analysis.csv` holds every campaign and every segment (as a standalone campaign with the chosen
# offer): customers, revenue at risk, cost, net profit and ROI. `campaign_targets.csv` is the chosen
# campaign's target list with each customer's expected economics.

# %%
per_segment = roi.segment_economics(pool, offer, base).reset_index().rename(
    columns={"Segment": "segment", "customers": "targeted"})
analysis = pd.concat([table.assign(level="campaign").rename(columns={"campaign": "name"}),
                      per_segment.assign(level="segment").rename(columns={"segment": "name"})], ignore_index=True)
keep = ["level", "name", "targeted", "revenue_at_risk", "saved_revenue", "total_cost", "discount_cost_wasted",
        "net_profit", "roi", "break_even_uplift"]
analysis = analysis[[c for c in keep if c in analysis.columns]].round(4)
_ = pipeline.write_artifact(analysis, output_dir, "roi_analysis.csv")
targets = roi.customer_economics(roi.select_targets(pool, chosen), offer, base).round(2).reset_index()
targets["CustomerID"] = privacy.pseudonymise(targets["CustomerID"], salt)
_ = pipeline.write_artifact(targets, output_dir, "campaign_targets.csv")
rp.show_markdown(f"[roi_analysis.csv](artifacts/roi_analysis.csv) ({len(analysis)} rows) · "
                 f"[campaign_targets.csv](artifacts/campaign_targets.csv) ({rp.number(len(targets))} customers of "
                 f"the {chosen.name} campaign)")
rp.show_table(targets, "campaign-targets", page_length=10, maxBytes=0, showIndex=False)
