# %% [markdown]
# # Lifetime value and campaign ROI
# What each customer is worth over the coming months, what the customer base stands to lose to churn,
# and which retention campaign to run (or none) under which assumptions.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import warnings
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from retention import clv, pipeline, privacy, roi
from retention import decisions as dc
from retention import report as rp
from retention.params import load_params

# A flat likelihood (a parameter on a ridge) leaves its standard error undefined and holds that parameter in
# the uncertainty draws: the model table says so (n/a) instead of the library's warnings.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"retention\.clv")

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
dp = dc.decision_settings(params.get("decision"))
economics = params["roi"]["economics"]
fitted = clv.fit_customer_values(
    tx, end, unit=unit, penalizer=cp["penalizer"], horizon_months=cp["horizon_months"],
    discount_rate_monthly=cp["discount_rate_monthly"], churn_horizon_days=churn_horizon,
    decision_horizon_months=dp["horizon_months"])
values, bgnbd, gamma_gamma, summary = fitted.values, fitted.forecast.model, fitted.gamma_gamma, fitted.summary
values = values.drop(columns=["value_if_active"])
if_alive = dc.offer_window_values(fitted, [dp["offer_months"]])
repeaters = summary[summary["frequency"] > 0]
segments_table = pipeline.read_stage(output_dir, "segments")
churn = pipeline.read_stage(output_dir, "churn")
frame = dc.decision_frame(segments_table, churn, values.join(if_alive), as_of=end,
                          base_window_days=dp["base_window_days"], at_risk_threshold=dp["at_risk_threshold"],
                          margin=economics["margin"], offer_months=[dp["offer_months"]])
customers = frame.join(values[["clv", "expected_purchases", "p_no_purchase"]])
base = customers[customers["in_base"]]
expected_loss = base["expected_loss"].sum()
lapsed = dc.lapsed_summary(frame, end)
top20 = customers["clv"].sort_values(ascending=False)
top20_share = top20.iloc[: int(np.ceil(0.2 * len(top20)))].sum() / top20.sum()

# %%
rp.kpi_cards([
    (f"Expected revenue, next {cp['horizon_months']} months", rp.money(customers["clv"].sum(), currency),
     f"discounted at {rp.pct(cp['discount_rate_monthly'])} a month"),
    ("Expected loss of the base", rp.money(expected_loss, currency),
     f"{rp.number(len(base))} customers who bought in the last {dp['base_window_days']} days; churn probability × "
     f"value at stake"),
    ("Top 20% of customers", rp.pct(top20_share), "of the expected future value"),
    ("Still active (P(alive) > 0.5)", rp.pct((customers["p_alive"] > 0.5).mean()), f"{bgnbd.label} estimate"),
])
rp.callout(
    f"Over the next {cp['horizon_months']} months the {rp.number(len(customers))} customers are expected to bring "
    f"{rp.money(customers['clv'].sum(), currency)} (discounted at {rp.pct(cp['discount_rate_monthly'])} a month). "
    f"The customer base, the {rp.number(len(base))} customers who bought in the last {dp['base_window_days']} days, "
    f"carries an expected loss of {rp.money(expected_loss, currency)}: churn probability × value at stake (margin × "
    f"the revenue a customer brings over {dp['horizon_months']} months if they stay). "
    f"{rp.number(int(base['at_risk'].sum()))} of them are at risk (churn probability ≥ "
    f"{rp.pct(dp['at_risk_threshold'], 0)}). The {rp.number(lapsed['lapsed'])} lapsed customers are a win-back "
    f"question and not part of that figure. The value is concentrated: the top 20% of customers hold "
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
    "Standard error": [rp.number(v, 3) if np.isfinite(v) else "n/a (flat likelihood)"
                       for v in list(bgnbd.standard_errors_.values()) + list(gamma_gamma.standard_errors_.values())],
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
# ## Where risk and value meet
# For each segment of the customer base: how likely its customers are to churn (x), what each would take
# with them (y: **value at stake** = margin × the revenue they bring over the decision horizon if they stay)
# and how many there are (bubble size). **Expected loss** = churn probability × value at stake. A valuable
# segment with a low churn probability has a large expected loss only because it is valuable; a retention
# offer pays where both are high, which the campaign section below tests customer by customer.

# %%
by_segment = dc.segment_value_risk(frame)
fig = go.Figure(go.Scatter(
    x=by_segment["mean_churn_probability"], y=by_segment["mean_value_at_stake"], mode="markers+text",
    text=by_segment.index, textposition="top center",
    marker={"size": by_segment["customers"], "sizemode": "area",
            "sizeref": 2.0 * by_segment["customers"].max() / 60 ** 2, "color": rp.PALETTE[0]},
    customdata=np.stack([by_segment["customers"], by_segment["expected_loss"]], axis=1),
    hovertemplate="%{text}: churn %{x:.0%}, value at stake %{y:,.0f}, %{customdata[0]:,} customers, expected loss "
    "%{customdata[1]:,.0f}<extra></extra>"))
fig.update_xaxes(tickformat=".0%")
rp.style_figure(fig, "Churn probability and value at stake by segment of the customer base",
                "Mean churn probability", f"Mean value at stake ({currency})", 500)
rp.show_figure(fig, "segment-value-risk")
rp.show_static_table(pd.DataFrame({
    "Segment": by_segment.index, "Customers": by_segment["customers"].map(rp.number),
    "At risk": by_segment["at_risk"].map(rp.number),
    "Mean churn probability": by_segment["mean_churn_probability"].map(rp.pct),
    f"Mean value at stake ({currency})": by_segment["mean_value_at_stake"].map(lambda v: rp.money(v, currency, 0)),
    f"Expected loss ({currency})": by_segment["expected_loss"].map(lambda v: rp.money(v, currency, 0)),
}), numeric=["Customers", "At risk", "Mean churn probability", f"Mean value at stake ({currency})",
             f"Expected loss ({currency})"])

stage = values.join(frame[["in_base", "at_risk", "value_at_stake", "expected_loss"]])
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
# ## Which campaign to run
# Every campaign in the params and the **profit-maximising list** (the customers of the base whose expected
# incremental profit from the offer is positive) are evaluated the same way, customer by customer:
# expected incremental profit = churn probability × uplift × value at stake − the discount given to saved
# customers − the discount redeemed by customers who would have bought anyway − contact cost; the fixed cost
# is paid once. The offer's **cost model** says what the discount is taken off (the next order, or all orders
# for some months). P(loss) is the share of simulations, over the assumption ranges in the params, in which
# the campaign loses money. The recommendation is the option with the highest expected net profit whose
# P(loss) is acceptable; if none qualifies, the advice is to run none and test first.

# %%
rp_ = params["roi"]
ranges = {k: tuple(v) for k, v in rp_["ranges"].items()}
campaign_defaults = {**economics, "offer_type": dp["offer_type"], "offer_months": dp["offer_months"]}
campaign_dicts = [{**c, **(rp_["scenario"] if c["name"] == dp["pinned_campaign"] else {})} for c in rp_["campaigns"]]
campaigns = roi.campaigns_from_dicts(campaign_dicts, defaults=campaign_defaults)
list_offer, list_assumptions = dc.profit_list_terms(economics, ranges, offer_type=dp["offer_type"],
                                                    offer_months=dp["offer_months"])
options = dc.evaluate_options(frame, campaigns, list_offer=list_offer, list_assumptions=list_assumptions,
                              ranges=ranges, n_draws=rp_["monte_carlo_draws"], seed=rp_["seed"])
decision = dc.decide(options, max_p_loss=dp["max_p_loss"], pinned_campaign=dp["pinned_campaign"], currency=currency,
                     uplift_low=ranges["uplift"][0] if "uplift" in ranges else None)
table = pd.DataFrame([{**o.as_alternative(), **o.summary} for o in options])
view = pd.DataFrame({
    "Option": table["campaign"], "Targets": table["targets"].map(rp.number),
    "Expected loss": table["expected_loss"].map(lambda v: rp.money(v, currency, 0)),
    "Total cost": table["total_cost"].map(lambda v: rp.money(v, currency, 0)),
    "Wasted discounts": table["discount_cost_wasted"].map(lambda v: rp.money(v, currency, 0)),
    "Net profit": table["expected_net_profit"].map(lambda v: rp.money(v, currency, 0)),
    "ROI": table["roi"].map(rp.pct), "P(loss)": table["p_loss"].map(lambda v: rp.pct(v, 0)),
    "Break-even uplift": table["break_even_uplift"].map(lambda v: rp.pct(v) if np.isfinite(v) else "never"),
    "Uplift": table["assumed_uplift"].map(rp.pct), "Offer": table["cost_model"],
})
rp.show_static_table(view, numeric=[c for c in view.columns if c not in ("Option", "Offer")])
rp.callout(decision.headline + " " + " ".join(decision.why), title="The decision")
pick = decision.analysis_pick
fig = go.Figure(go.Bar(x=table["campaign"], y=table["expected_net_profit"],
                       marker_color=[rp.PALETTE[2] if v >= 0 else rp.PALETTE[3] for v in table["expected_net_profit"]],
                       customdata=np.stack([table["p_loss"] * 100, table["targets"]], axis=1),
                       hovertemplate="%{x}: net %{y:,.0f} " + currency
                       + ", P(loss) %{customdata[0]:.0f}%, %{customdata[1]:,} targets<extra></extra>"))
rp.style_figure(fig, f"{pick.name} has the highest expected net profit with acceptable risk" if pick is not None
                else "No option makes money with acceptable risk", None, f"Expected net profit ({currency})", 380)
rp.show_figure(fig, "campaign-profit")

# %% [markdown]
# ## How many customers to target
# The customers of the base ranked by their expected incremental profit under the profit-maximising list's
# offer; the curve adds them one by one. Past the peak, every extra contact costs more than it saves.

# %%
curve = roi.profit_curve(base, list_offer, list_assumptions)
best_n, best_profit = roi.best_n(curve)
step = max(1, len(curve) // 500)
fig = go.Figure(go.Scatter(x=curve["N"][::step], y=curve["cumulative_net_profit"][::step], mode="lines",
                           line_color=rp.PALETTE[0], hovertemplate="top %{x:,}: net %{y:,.0f}<extra></extra>"))
fig.add_vline(x=best_n, line_dash="dot", line_color=rp.PALETTE[3])
curve_title = (f"Targeting the best {rp.number(best_n)} customers maximises expected net profit at "
               f"{rp.money(best_profit, currency)}" if best_n > 0
               else "No customer of the base is worth the offer: every list loses money")
rp.style_figure(fig, f"{curve_title} ({list_offer.cost_model().split(';')[0]})",
                "Customers targeted (ranked by expected incremental profit)", f"Cumulative net profit ({currency})", 400)
rp.show_figure(fig, "profit-curve")

# %% [markdown]
# ## What if: which customers, how many, what discount
# Move the slider to change the discount; the heat map shows the expected net profit of giving it to the
# N customers (columns) of each pool (rows): the highest churn probabilities of the base, the highest
# expected losses, the profit-maximising list for that offer, or one segment. Hover for ROI and P(loss).
# Every combination is precomputed, so this works in the static report.

# %%
top_ns = sorted(set(rp_["what_if_top_n"]) | {500})
whatif = roi.what_if_grid(frame, list_offer, list_assumptions, discounts=rp_["what_if_discounts"], top_ns=top_ns,
                          offer_months=dp["offer_months"], ranges=ranges, n_draws=2000, seed=rp_["seed"])
shown = whatif[whatif["offer_type"] == dp["offer_type"]]
pools = list(dict.fromkeys(shown["pool"]))
discounts = list(dict.fromkeys(shown["discount"]))
zmax = float(np.nanmax(np.abs(shown["net_profit"])))
fig = go.Figure()
for i, d in enumerate(discounts):
    cell = shown[shown["discount"] == d]
    z = cell.pivot(index="pool", columns="top_n", values="net_profit").reindex(pools)
    extra = np.stack([cell.pivot(index="pool", columns="top_n", values=c).reindex(pools).to_numpy() * 100
                      for c in ("roi", "p_loss")], axis=-1)
    fig.add_heatmap(z=z.to_numpy(), x=[str(n) for n in z.columns], y=[roi.pool_label(k) for k in pools],
                    customdata=extra, visible=(i == len(discounts) // 2), colorscale="RdBu", zmid=0, zmin=-zmax,
                    zmax=zmax, colorbar={"title": f"Net ({currency})"},
                    hovertemplate="%{y}, top %{x}: net %{z:,.0f}, ROI %{customdata[0]:.0f}%, P(loss) "
                    "%{customdata[1]:.0f}%<extra></extra>")
steps = [{"method": "update", "label": rp.pct(d, 0),
          "args": [{"visible": [j == i for j in range(len(discounts))]},
                   {"title.text": f"Expected net profit with {rp.pct(d, 0)} off"}]} for i, d in enumerate(discounts)]
fig.update_layout(sliders=[{"active": len(discounts) // 2, "steps": steps, "currentvalue": {"prefix": "Discount: "},
                            "pad": {"t": 50}}])
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"Expected net profit with {rp.pct(discounts[len(discounts) // 2], 0)} off",
                "Customers targeted (N)", None, 560)
rp.show_figure(fig, "what-if")
question = {pool: roi.what_if_cell(whatif, pool, 500, 0.15, dp["offer_type"])
            for pool in ("highest_churn", "profit_maximising")} if 0.15 in discounts else {}
if question:
    risky, best500 = question["highest_churn"], question["profit_maximising"]
    rp.callout(
        f"15% to the 500 customers of the base with the highest churn probability: expected net profit "
        f"{rp.money(risky['net_profit'], currency)}, ROI {rp.pct(risky['roi'])}, P(loss) {rp.pct(risky['p_loss'], 0)}. "
        f"The same offer to the 500 customers with the highest expected incremental profit: "
        f"{rp.money(best500['net_profit'], currency)}, ROI {rp.pct(best500['roi'])}, P(loss) "
        f"{rp.pct(best500['p_loss'], 0)}. Offer cost model: {risky['cost_model']}; uplift assumed "
        f"{rp.pct(list_assumptions.uplift)}.", title="15% to 500 customers: do we make money?")

# %% [markdown]
# ## How sure are we? Scenarios, tornado and Monte Carlo
# The option the decision is about (the one to run, or to test first) under pessimistic, base and optimistic
# assumptions (each at the bad or good end of its range in the params); which assumption moves the result
# most (tornado: one at a time, the others at base); the net profit over the discount × uplift plane; and a
# Monte Carlo that draws all uncertain assumptions at once (the discount is a choice, not drawn) to give the
# probability that it loses money.

# %%
study = decision.focus if decision.focus is not None else options[0]
chosen, offer, base_assumptions = study.campaign, study.offer, study.assumptions
scenarios = roi.scenarios_from_ranges(ranges)
scen = roi.scenario_table(frame, chosen, scenarios).reset_index()
rp.show_static_table(pd.DataFrame({
    "Scenario": scen["scenario"], "Uplift": scen["uplift"].map(rp.pct), "Discount": scen["discount"].map(rp.pct),
    "Redemption": scen["redemption_rate"].map(rp.pct), "Margin": scen["margin"].map(rp.pct),
    "Net profit": scen["net_profit"].map(lambda v: rp.money(v, currency, 0)), "ROI": scen["roi"].map(rp.pct),
}), numeric=["Uplift", "Discount", "Redemption", "Margin", "Net profit", "ROI"])

torn = roi.tornado(frame, chosen, offer, base_assumptions, ranges)
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
rp.style_figure(fig, f"{torn.iloc[0]['parameter'].replace('_', ' ').capitalize()} moves the net profit of "
                f"{chosen.name} most", f"Net profit ({currency}); the line is the base case", None, 380)
rp.show_figure(fig, "tornado")

plane = roi.grid(frame, chosen, offer, base_assumptions, np.linspace(*ranges.get("discount", (0.05, 0.3)), 11),
                 np.linspace(*ranges.get("uplift", (0.02, 0.3)), 11))
heat = plane.pivot(index="uplift", columns="discount", values="net_profit")
zlim = float(np.abs(heat.to_numpy()).max())
fig = go.Figure(go.Heatmap(z=heat.to_numpy(), x=[rp.pct(d, 1) for d in heat.columns],
                           y=[rp.pct(u, 1) for u in heat.index], colorscale="RdBu", zmid=0, zmin=-zlim, zmax=zlim,
                           colorbar={"title": f"Net ({currency})"},
                           hovertemplate="discount %{x}, uplift %{y}: net %{z:,.0f}<extra></extra>"))
rp.style_figure(fig, "Deeper discounts need a larger uplift to pay (blue makes money, red loses)", "Discount",
                "Uplift", 460)
rp.show_figure(fig, "discount-uplift")

uncertain = {k: v for k, v in ranges.items() if k in roi.UNCERTAIN_PARAMETERS}
draws = roi.monte_carlo(frame, chosen, None, uncertain, n_draws=rp_["monte_carlo_draws"], seed=rp_["seed"])
p_loss = roi.probability_of_loss(draws)
fig = px.histogram(draws, x="net_profit", nbins=60, color_discrete_sequence=[rp.PALETTE[0]])
fig.add_vline(x=0, line_color=rp.PALETTE[3])
fig.update_traces(hovertemplate="net %{x}: %{y:,} draws<extra></extra>")
rp.style_figure(fig, f"{chosen.name} loses money in {rp.pct(p_loss)} of {rp.number(len(draws))} draws",
                f"Net profit ({currency})", "Draws", 380)
rp.show_figure(fig, "monte-carlo")
rp.show_markdown(f"Median net profit over the draws: **{rp.money(draws['net_profit'].median(), currency)}**; "
                 f"5th–95th percentile: {rp.money(draws['net_profit'].quantile(0.05), currency)} to "
                 f"{rp.money(draws['net_profit'].quantile(0.95), currency)}. Each assumption is drawn uniformly "
                 f"and independently within its range (seed {rp_['seed']}).")

# %% [markdown]
# ## Files for finance and the CRM team
# `roi_analysis.csv` holds every option and every segment of the base (as a standalone campaign with the
# profit-maximising list's offer): customers, expected loss, cost, net profit and ROI.
# `campaign_targets.csv` is the target list of the option the decision is about, with each customer's
# expected economics; `what_if_grid.csv` the what-if grid; `decision.json` the decision itself.

# %%
per_segment = roi.segment_economics(base, list_offer, list_assumptions).reset_index().rename(
    columns={"Segment": "name", "customers": "targeted"})
analysis = pd.concat([table.assign(level="campaign").rename(columns={"campaign": "name"}),
                      per_segment.assign(level="segment")], ignore_index=True)
keep = ["level", "name", "targeted", "expected_loss", "saved_revenue", "total_cost", "discount_cost_wasted",
        "net_profit", "roi", "break_even_uplift", "p_loss"]
analysis = analysis[[c for c in keep if c in analysis.columns]].round(4)
_ = pipeline.write_artifact(analysis, output_dir, "roi_analysis.csv")
targets = dc.target_list(frame, study).round(2).reset_index()
targets["CustomerID"] = privacy.pseudonymise(targets["CustomerID"], salt)
_ = pipeline.write_artifact(targets, output_dir, "campaign_targets.csv")
_ = pipeline.write_artifact(whatif.round(6), output_dir, "what_if_grid.csv")
document = dc.decision_document(decision, as_of=end, currency=currency, target_list="artifacts/campaign_targets.csv")
_ = dc.write_json(document, pipeline.output_paths(output_dir)["artifacts"] / "decision.json")
_ = pipeline.write_work_json({
    "action": decision.action, "pinned": decision.pinned, "campaign": document["campaign"],
    "analysis_pick": document["analysis_pick"], "test_campaign": document["test_campaign"],
    "targets": document["targets"], "expected_net_profit": document["expected_net_profit"],
    "p_loss": document["p_loss"], "break_even_uplift": document["break_even_uplift"],
    "break_even_status": document["break_even_status"], "profit_max_n": int(best_n), "profit_max_net": float(best_profit),
    "options": {o.name: {"targets": o.targets, "net_profit": o.net_profit, "p_loss": o.p_loss} for o in options},
}, output_dir, "roi_summary")
rp.show_markdown(f"[roi_analysis.csv](artifacts/roi_analysis.csv) ({len(analysis)} rows) · "
                 f"[campaign_targets.csv](artifacts/campaign_targets.csv) ({rp.number(len(targets))} customers of "
                 f"{study.name}) · [what_if_grid.csv](artifacts/what_if_grid.csv) ({rp.number(len(whatif))} rows) · "
                 f"[decision.json](artifacts/decision.json)")
rp.show_table(targets, "campaign-targets", page_length=10, maxBytes=0, showIndex=False)
