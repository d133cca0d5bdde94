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
# # Which retention campaign to run
# Who in the customer base is at risk, what they would take with them, which campaign pays (or none), how sure
# we are, and the test that would confirm it. The decision card and the KPI cards read `decision.json` and
# `kpis.json`, which this report's computation writes; every other page that shows them reads the same files.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("06_campaigns", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
cur = r.currency
s = r.settings

# %% [markdown]
# ## The decision

# %%
rp.show_decision(r.decision)
rp.show_kpis(r.kpis)
rp.callout(r.texts["lead"], title="In one minute")

# %% [markdown]
# ## Measured or assumed: how much does the offer change behaviour?
# A campaign pays only if the offer makes customers buy who would not have bought without it (the **uplift**).
# Without a test the uplift is a guess from the params; a controlled test (the offer to a random group, nothing to
# a random control group) measures it.

# %%
rp.callout(" ".join(t for t in (r.texts["response"], r.texts["dogs"], r.texts["change"]) if t),
           title="The uplift behind every number below")
if r.comparison is not None:
    c = r.comparison
    rp.show_static_table(pd.DataFrame({
        "Option": c["campaign"], "Customers (assumed)": c["targets_assumed"], "Uplift assumed": c["assumed_uplift_assumed"],
        "Net profit (assumed)": [rp.money(v, cur, 0) for v in c["expected_net_profit_assumed"]],
        "Chance of a loss (assumed)": c["p_loss_assumed"],
        "Customers (measured)": c["targets_measured"], "Uplift measured": c["assumed_uplift_measured"],
        "Net profit (measured)": [rp.money(v, cur, 0) for v in c["expected_net_profit_measured"]],
        "Chance of a loss (measured)": c["p_loss_measured"],
    }), units={"Customers (assumed)": "count", "Uplift assumed": "share", "Chance of a loss (assumed)": "probability",
               "Customers (measured)": "count", "Uplift measured": "share",
               "Chance of a loss (measured)": "probability"}, currency=cur)
    rp.show_markdown("Uplift: the share of would-be non-buyers the offer turns into buyers. The measured uplift "
                     "comes from the test's purchase rates; the profit-maximising list ranks customers by the uplift "
                     "model's prediction for each of them, so it is a different list under each column.")

# %% [markdown]
# ## Where risk and value meet
# Each bubble is a segment of the customer base: how likely its customers are to stop buying (across), what each
# would take with them if they did (**value at stake**, up) and how many customers it holds (size). A segment can
# carry a large expected loss only because it is valuable; a retention offer pays where a customer's behaviour can
# be changed at a price below what it wins back, which the options below test customer by customer.

# %%
seg = r.by_segment.reset_index()
fig = go.Figure(go.Scatter(
    x=seg["mean_churn_probability"], y=seg["mean_value_at_stake"], mode="markers+text", text=seg["Segment"],
    textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(seg))], textfont={"size": 11},
    marker={"size": seg["customers"], "sizemode": "area",
            "sizeref": 2.0 * (float(seg["customers"].max()) if len(seg) else 1.0) / 55 ** 2,
            "sizemin": 4, "color": rp.ACCENT, "opacity": 0.55, "line": {"color": "#ffffff", "width": 1}},
    customdata=np.stack([seg["customers"], seg["at_risk"], seg["expected_loss"]], axis=1),
    hovertemplate="%{text}: %{customdata[0]:,} customers, %{customdata[1]:,} at risk<br>mean churn probability "
                  "%{x:.0%}, mean value at stake " + rp.currency_symbol(cur) + "%{y:,.0f}<br>expected loss "
                  + rp.currency_symbol(cur) + "%{customdata[2]:,.0f}<extra></extra>"))
fig.add_vline(x=s["at_risk_threshold"], line_dash="dot", line_color=rp.NEUTRAL,
              annotation_text="at-risk threshold", annotation_position="top")
fig.update_xaxes(range=[0, 1])
rp.style_figure(fig, "Churn probability and value at stake by segment of the base (bubble size: customers)",
                "Mean churn probability", f"Mean value at stake ({cur})", 500, x_unit="probability", y_unit="money",
                currency=cur)
rp.show_figure(fig, "value-risk")
rp.show_static_table(pd.DataFrame({
    "Segment": seg["Segment"], "Customers": seg["customers"], "At risk": seg["at_risk"],
    "Mean churn probability": seg["mean_churn_probability"],
    "Mean value at stake": [rp.money(v, cur, 0) for v in seg["mean_value_at_stake"]],
    "Expected loss": [rp.money(v, cur, 0) for v in seg["expected_loss"]],
}), units={"Customers": "count", "At risk": "count", "Mean churn probability": "probability"}, currency=cur)

# %% [markdown]
# ## The options
# Every campaign in the params and the **profit-maximising list** (the customers of the base whose expected
# incremental profit from the offer is positive) are evaluated the same way, customer by customer: the extra
# buyers the offer makes times the margin on one order, minus the discount given to them and to the customers who
# would have bought anyway, minus the contact cost; the fixed cost is paid once. The **chance of a loss** is the
# share of simulations, drawing the uncertain assumptions (and each customer's value), in which the campaign loses
# money. The recommendation is the option with the highest expected net profit whose chance of a loss is at most
# the limit in the params; if none qualifies, the advice is to run none and test first.

# %%
o = r.options
rp.show_static_table(pd.DataFrame({
    "Option": o["campaign"], "Customers": o["targets"], "Offer": [m.split(";")[0] for m in o["cost_model"]],
    "Expected net profit": [rp.money(v, cur, 0) for v in o["expected_net_profit"]], "Return on cost": o["roi"],
    "Chance of a loss": o["p_loss"], "Break-even uplift": o["break_even_uplift"].where(o["break_even_uplift"] <= 1),
    "Uplift used": o["assumed_uplift"], "Verdict": o["verdict"],
}), units={"Customers": "count", "Return on cost": "share", "Chance of a loss": "probability",
           "Break-even uplift": "share", "Uplift used": "share"}, currency=cur)
rp.show_markdown("Offer cost models: " + "; ".join(
    f"**{n}**: {m}" for n, m in zip(o["campaign"], o["cost_model"], strict=True)) + ". A break-even uplift shown as "
    "— means that even converting every would-be non-buyer would not make the option pay.")
fig = go.Figure(go.Bar(
    x=o["campaign"], y=o["expected_net_profit"], marker_color=rp.gain_loss_colors(o["expected_net_profit"]),
    customdata=np.stack([o["p_loss"], o["targets"]], axis=1),
    hovertemplate="%{x}: expected net profit " + rp.currency_symbol(cur) + "%{y:,.0f}, chance of a loss "
                  "%{customdata[0]:.0%}, %{customdata[1]:,} customers<extra></extra>"))
fig.add_hline(y=0, line_color="#333333")
rp.style_figure(fig, r.texts["options_title"], None, f"Expected net profit ({cur})", 400, y_unit="money",
                currency=cur)
rp.show_figure(fig, "options-profit")

# %% [markdown]
# ## What if: which customers, how many, what discount
# The question the series was built for, answered literally, next to the same offer on the profit-maximising list.
# Pick who gets the offer, how many, the discount and what it is taken off: every combination is precomputed, so
# this works in the saved report.

# %%
rp.callout(r.texts["question"], title=r.texts["question_title"])
rp.what_if_explorer(r.what_if, "what-if", pool_labels=r.pool_labels,
                    default={"pool": "highest_churn", "top_n": s["question_n"], "discount": s["question_discount"],
                             "offer_type": s["offer_type"]},
                    offer_months=s["offer_months"],
                    note=f"Highest churn probability, highest expected loss and the segments rank the customers of "
                         f"the base by churn probability or expected loss; the profit-maximising list by expected "
                         f"incremental profit under that very offer. The chance of a loss draws the same "
                         f"{rp.number(s['monte_carlo_draws'])} scenarios in every cell. Full grid: what_if_grid.csv.")

# %% [markdown]
# ## How sure are we?
# For the option the decision is about: which assumption moves its net profit most (each at the two ends of its
# range, the others at their base value; red where the profit falls, green where it rises), and the spread of its
# net profit over the simulations.

# %%
if r.tornado is None:
    rp.show_markdown("No option targets anyone, so there is nothing to stress-test.")
else:
    t = r.tornado
    base_net = float(t["base_net_profit"].iloc[0])
    names = [rp.label(p) for p in t["parameter"]]
    fig = go.Figure()
    for end, column, values in (("low end", "net_profit_low", t["low"]), ("high end", "net_profit_high", t["high"])):
        delta = t[column] - base_net
        shown = [rp.money(v, cur) if p in ("contact_cost", "fixed_cost") else rp.pct(v)
                 for p, v in zip(t["parameter"], values, strict=True)]
        fig.add_bar(y=names, x=delta, base=base_net, orientation="h", showlegend=False,
                    marker_color=np.where(delta < 0, rp.LOSS, rp.GAIN), customdata=shown,
                    hovertemplate="%{y} at its " + end + " (%{customdata}): net profit " + rp.currency_symbol(cur)
                                  + "%{x:,.0f}<extra></extra>")
    fig.add_vline(x=base_net, line_color="#333333")
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(autorange="reversed")
    rp.style_figure(fig, f"{names[0]} moves the net profit of {r.focus.name} most", f"Net profit ({cur}); the line "
                    f"is the base case, {rp.money(base_net, cur)}", None, 80 + 45 * len(names), x_unit="money",
                    currency=cur, zero_based=False)
    rp.show_figure(fig, "tornado")
    mc = r.monte_carlo
    lost = float((mc["net_profit"] < 0).mean())
    size = max(float(mc["net_profit"].max() - mc["net_profit"].min()) / 60, 1.0)
    bins = {"start": float(mc["net_profit"].min()), "end": float(mc["net_profit"].max()) + size, "size": size}
    fig = go.Figure()
    fig.add_histogram(x=mc.loc[mc["net_profit"] < 0, "net_profit"], xbins=bins, marker_color=rp.LOSS,
                      name="loses money", hovertemplate="net profit %{x}: %{y:,} simulations<extra></extra>")
    fig.add_histogram(x=mc.loc[mc["net_profit"] >= 0, "net_profit"], xbins=bins, marker_color=rp.GAIN,
                      name="makes money", hovertemplate="net profit %{x}: %{y:,} simulations<extra></extra>")
    fig.update_layout(barmode="overlay")
    rp.style_figure(fig, f"{r.focus.name} loses money in {rp.pct(lost)} of {rp.number(len(mc))} simulations",
                    f"Net profit ({cur})", "Simulations", 380, x_unit="money", y_unit="count", currency=cur,
                    zero_based=False)
    rp.show_figure(fig, "monte-carlo", note=f"Median {rp.money(mc['net_profit'].median(), cur)}; 5th to 95th "
                   f"percentile {rp.money(mc['net_profit'].quantile(0.05), cur)} to "
                   f"{rp.money(mc['net_profit'].quantile(0.95), cur)}. "
                   + ("The uplift is drawn from its measured interval (normal); " if r.regime.response.measured
                      else "The uplift is drawn uniformly over its range in the params; ")
                   + "the other assumptions uniformly over their ranges"
                   + (f", and each customer's value from {rp.number(s['value_draws'])} draws of the value model."
                      if s["value_draws"] else "."))
    sc = r.scenarios
    rp.show_static_table(pd.DataFrame({
        "Scenario": sc["scenario"].str.capitalize(), "Uplift": sc["uplift"], "Discount": sc["discount"],
        "Redemption by would-be buyers": sc["redemption_rate"], "Margin": sc["margin"],
        "Contact cost": sc["offer_contact_cost"], "Net profit": [rp.money(v, cur, 0) for v in sc["net_profit"]],
        "Return on cost": sc["roi"],
    }), units={"Uplift": "share", "Discount": "share", "Redemption by would-be buyers": "share", "Margin": "share",
               "Contact cost": "money", "Return on cost": "share"}, currency=cur)

# %% [markdown]
# ## The test that would confirm it

# %%
rp.show_markdown(r.texts["test"] or "No option targets anyone, so there is no list to test.")
if r.test.document is not None:
    groups = r.test.assignment["group"].value_counts()
    rp.show_markdown(
        f"[experiment_assignment.csv](artifacts/experiment_assignment.csv) assigns the "
        f"{rp.plural(len(r.test.assignment), 'customer')} of {r.test.campaign} at random within each segment and risk "
        f"band (seed in the params): {rp.number(groups.get('treatment', 0))} to the offer, "
        f"{rp.number(groups.get('control', 0))} held out.")

# %% [markdown]
# ## Lapsed customers: a win-back question

# %%
rp.callout(r.texts["lapsed"], title="Not in the base, not in the expected loss")

# %% [markdown]
# ## Customer explorer
# Every customer with segment, churn probability, value, expected loss, the offer's expected incremental profit for
# them and what to do. Filter by ranges, search, and download the filtered rows; the full table with every column
# of the series is [enhanced_customer_data.csv](artifacts/enhanced_customer_data.csv). Expected loss is a measure of
# the customer base: lapsed customers show none (they are a win-back question).

# %%
columns = ["CustomerID", "Segment", "recommended_action", "churn_probability", "clv", "value_at_stake",
           "expected_loss", "expected_profit"]
columns += ["predicted_uplift"] if r.regime.response.per_customer else []
rp.customer_explorer(r.explorer, "customer-explorer", columns=columns + ["top_reasons"], order_by="expected_loss",
                     csv_href="artifacts/enhanced_customer_data.csv")

# %% [markdown]
# ## Appendix: the decision against the truth
# On generated data the generator knows what each customer would really have done with and without the offer, so
# the promised profits can be checked there.

# %%
if r.truth is None:
    rp.show_markdown(r.texts["truth"])
else:
    rp.callout(" ".join(r.texts[k] for k in ("lists", "first", "nonbuyers") if k in r.texts),
               title="Expected against true")
    rp.show_markdown(r.texts["gaps"])
    tt = r.truth.options
    rp.show_static_table(pd.DataFrame({
        "Model": tt["model"].str.capitalize(), "Option": tt["option"], "Customers": tt["targets"],
        "Expected net profit": [rp.money(v, cur, 0) for v in tt["expected_net_profit"]],
        "True net profit": [rp.money(v, cur, 0) for v in tt["true_net_profit"]],
        "Expected minus true": [rp.money(v, cur, 0) for v in tt["gap"]],
    }), units={"Customers": "count"}, currency=cur)
    nb = r.truth.nonbuyers
    rp.show_static_table(pd.DataFrame({
        "Group": ["At risk", "Customer base", "Lapsed"],
        "Customers": [nb["at_risk_customers"], nb["base_customers"], nb["lapsed_customers"]],
        f"Truly bought nothing in the next {s['churn_horizon_days']} days": [
            nb["at_risk_nonbuyer_share"], nb["base_nonbuyer_share"], nb["lapsed_nonbuyer_share"]],
    }), units={"Customers": "count", f"Truly bought nothing in the next {s['churn_horizon_days']} days": "share"})
    rp.show_markdown(
        f"True profits are counted over the {r.truth.horizon_days} days after the end of the data, with the same "
        f"offer, margin and contact cost; the fixed cost is taken once per list. The oracle list takes the customers "
        f"of the base with the highest true incremental profit; the random list is one seeded draw from the base. "
        + (f"On the profit-ranked list the uplift model promised {rp.pct(r.truth.uplift['model_points'])} points on "
           f"the purchase rate on average; the truth is {rp.pct(r.truth.uplift['true_points'])}."
           if r.truth.uplift else ""))

# %% [markdown]
# ## Files and definitions

# %%
rp.show_markdown(
    f"[decision.json](artifacts/decision.json) (the decision) · [kpis.json](artifacts/kpis.json) (the headline "
    f"numbers) · [campaign_targets.csv](artifacts/campaign_targets.csv) ({rp.plural(len(r.targets), 'customer')} of "
    f"{r.focus.name if r.focus is not None else 'no option'}, with each customer's expected economics) · "
    f"[roi_analysis.csv](artifacts/roi_analysis.csv) (every option and segment) · "
    f"[what_if_grid.csv](artifacts/what_if_grid.csv) ({rp.number(len(r.what_if))} what-if cells) · "
    f"[experiment_assignment.csv](artifacts/experiment_assignment.csv) · "
    f"[enhanced_customer_data.csv](artifacts/enhanced_customer_data.csv) (every customer, every column).")
rp.show_definitions(r.glossary, title="Glossary", open_=True)
if r.warnings:
    rp.show_markdown("Notes from the models: " + " ".join(r.warnings))
