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
# # What the last campaign really did, and who responds to it
#
# A campaign sent to a random part of a list, with the rest held out, measures what the offer changes:
# the held-out customers show what the offered ones would have done anyway.

# %% tags=["parameters"]
params_file = "params/default.yaml"
output_dir = "reports"

# %%
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("05_experiments", params_file, output_dir)
rp.setup_notebook(r.info, params_file, r.settings)
cur = r.currency

# %%
if not r.present:
    rp.callout(r.why_absent + " Without one, the campaigns report works with the uplift assumed in the params, "
               "and proposes the test that would measure it.", title="No campaign test for this data", tone="info")
    rp.show_markdown(
        "**How to provide one.** After a campaign sent to a random part of a list, with the rest held out, write a CSV "
        "with one row per customer in the test: `CustomerID`, `group` (`treatment` or `control`), `sent_at` (the "
        "send date, YYYY-MM-DD), and optionally `campaign` (its name) and `discount` (e.g. 0.15). Name it in the "
        "params as `experiment.results: path/to/file.csv` and rerun the reports: this page then measures the "
        f"offer's effect on purchases within `experiment.outcome_days` ({r.outcome_days}) days, whether it paid, "
        "and which customers respond. The campaigns report's `experiment_assignment.csv` is such a split, ready to "
        "send.")

# %%
if r.present:
    u, profit = r.uplift, r.profit
    overall = r.effects[(r.effects["by"] == "all")].set_index("outcome")
    level = f"{1 - r.alpha:.0%}"
    rp.kpi_cards([
        rp.KpiCard("Purchase uplift", f"{u.estimate * 100:+.1f} points",
                   f"{level} interval {u.ci_low * 100:+.1f} to {u.ci_high * 100:+.1f}",
                   definition=f"Share of offered customers who bought within {r.outcome_days} days minus the "
                              "share of held-out customers who did."),
        rp.KpiCard("Net profit of the campaign", rp.money(profit["estimate"], cur),
                   f"{level} interval {rp.money(profit['low'], cur)} to {rp.money(profit['high'], cur)}",
                   definition="Extra margin of the offered customers, net of the discount, minus contact and "
                              "fixed costs."),
        rp.KpiCard("Customers who bought", f"{overall.loc['purchased', 'treatment_mean']:.1%} vs "
                   f"{overall.loc['purchased', 'control_mean']:.1%}",
                   f"offered vs held out, within {r.outcome_days} days"),
        rp.KpiCard("Customers in the test", rp.number(u.n_treatment + u.n_control),
                   f"{rp.number(u.n_treatment)} offered, {rp.number(u.n_control)} held out"),
    ])
    tone = "good" if profit["low"] > 0 else "bad" if profit["high"] < 0 else "warning"
    rp.callout(f"{r.headline} {r.verdict} {r.advice}", title="What the campaign did", tone=tone)
    offer = f"{r.discount:.0%} off" if r.discount is not None else "its discount unknown"
    rp.show_markdown(
        f"**The test.** {r.campaign or 'The campaign'} ({offer}), sent on {rp.day(r.sent_at)}; outcomes are the "
        f"purchases in the {r.outcome_days} days after the send day (purchases on the send day itself count as "
        f"history). Read from {r.source}; the margin and the contact and fixed costs are the params' "
        "`roi.economics`.")
    for note in r.notes:
        rp.show_markdown(f"*{note}*")

# %%
if r.present:
    rp.show_markdown("## By segment and risk band at the send date")
    rp.show_markdown(
        "Each test customer is counted in the segment and churn-risk band they were in **on the send date**, not "
        "today: the segment rules on the spend, frequency and recency scores of that day, and the risk band from "
        "the buy-till-you-die model's chance of no purchase within the churn horizon from that day (the churn "
        "report's baseline model; the shipped churn model scores today only). Small groups give wide intervals: "
        "a group whose bar crosses zero has not shown an effect either way.")

# %%
if r.present:
    for by, title, name in (("Segment", "segment", "exp-segments"), ("risk_band", "churn-risk band", "exp-risk")):
        g = r.groups[r.groups["by"] == by].iloc[::-1]
        colours = np.where(g["ci_low"] > 0, rp.GAIN, np.where(g["ci_high"] < 0, rp.LOSS, rp.NEUTRAL))
        labels = [f"{lvl} ({rp.number(a + b)})" for lvl, a, b in zip(g["level"], g["n_treatment"], g["n_control"],
                                                                       strict=True)]
        fig = go.Figure(go.Scatter(
            x=g["uplift"], y=labels, mode="markers", marker={"color": colours, "size": 11},
            error_x={"type": "data", "symmetric": False, "array": g["ci_high"] - g["uplift"],
                     "arrayminus": g["uplift"] - g["ci_low"], "color": "#8a99a8", "thickness": 1.5},
            customdata=np.stack([g["treatment_mean"], g["control_mean"], g["ci_low"], g["ci_high"]], axis=1),
            hovertemplate="%{y}<br>uplift %{x:+.1%}<br>interval %{customdata[2]:+.1%} to %{customdata[3]:+.1%}"
                          "<br>bought: %{customdata[0]:.1%} offered, %{customdata[1]:.1%} held out<extra></extra>"))
        fig.add_vline(x=0, line_color="#44546a", line_width=1)
        rp.style_figure(fig, f"Purchase uplift by {title} at the send date, with its {level} interval",
                        "Purchase uplift (offered minus held out, percentage points)", None,
                        height=max(260, 46 * len(g) + 120), zero_based=False)
        fig.update_xaxes(tickformat="+.0%", zeroline=False)
        rp.show_figure(fig, name, note=f"In brackets: customers of the {title} in the test. Green: the interval "
                                       "is above zero; red: below; grey: it crosses zero.")

# %%
if r.present:
    table = r.groups.assign(
        Group=r.groups["level"],
        Offered=r.groups["n_treatment"], Held_out=r.groups["n_control"],
        Bought_offered=r.groups["treatment_mean"], Bought_held_out=r.groups["control_mean"],
        Uplift=[f"{v * 100:+.1f}" for v in r.groups["uplift"]],
        Interval=[f"{a * 100:+.1f} to {b * 100:+.1f}" for a, b in zip(r.groups["ci_low"], r.groups["ci_high"],
                                                                      strict=True)],
        Margin=r.groups["margin_uplift"])
    table["By"] = table["by"].map({"Segment": "Segment", "risk_band": "Risk band"})
    rp.show_static_table(
        table[["Group", "By", "Offered", "Held_out", "Bought_offered", "Bought_held_out", "Uplift", "Interval",
               "Margin"]].rename(columns={"Held_out": "Held out", "Bought_offered": "Bought, offered",
                                          "Bought_held_out": "Bought, held out",
                                          "Uplift": "Uplift (points)",
                                          "Interval": f"{level} interval (points)",
                                          "Margin": "Extra margin per offered customer"}),
        units={"Offered": "count", "Held out": "count", "Bought, offered": "share", "Bought, held out": "share",
               "Extra margin per offered customer": "money"}, max_rows=40)
    rp.show_markdown(f"*Extra margin per offered customer: margin on what the offered bought minus the held-out "
                     f"average, net of the discount; contact and fixed costs not included. Every outcome is in "
                     f"`artifacts/experiment_effects.csv`.*")

# %%
if r.present and r.comparison is None:
    rp.show_markdown("## Who responds")
    rp.callout(r.targeting, title="Who responds", tone="warning")

# %%
if r.present and r.comparison is not None:
    c = r.comparison
    rp.show_markdown("## Who responds: the learners")
    rp.show_markdown(
        "An average uplift hides four kinds of customer: **persuadables** buy only if offered, **sure things** buy "
        "anyway (the discount is wasted on them), **lost causes** buy either way not, and **sleeping dogs** buy "
        "*less* when contacted. No single customer shows which kind they are (each is either offered or held "
        "out), but a model can learn from the whole test which features go with a response. "
        f"{len(c.learners)} such *uplift learners* were fitted; each test customer was scored by a model that had "
        f"not seen them ({c.n_folds}-fold cross-fitting, repeated on {c.n_repeats} random splits), and the learner "
        f"whose ranking finds the most extra buyers (the largest Qini area) was chosen: **{c.chosen}**"
        + ("." if r.learned else ", though it does no better than chance, so it is not used."))
    rp.callout(r.targeting, title="What the ranking finds", tone="good" if c.beats_random else "warning")

# %%
if r.present and r.comparison is not None:
    curves = c.curves
    fig = go.Figure()
    for i, model in enumerate(c.learners):
        part = curves[curves["model"] == model]
        chosen = model == c.chosen
        fig.add_trace(go.Scatter(x=part["share"], y=part["value"], name=model + (" (chosen)" if chosen else ""),
                                 mode="lines", line={"color": rp.PALETTE[i % len(rp.PALETTE)],
                                                     "width": 3.5 if chosen else 1.8}))
    if "oracle" in set(curves["model"]):
        part = curves[curves["model"] == "oracle"]
        fig.add_trace(go.Scatter(x=part["share"], y=part["value"], name="Oracle (knows each true response)",
                                 mode="lines", line={"color": "#44546a", "dash": "dot", "width": 1.5}))
    part = curves[curves["model"] == c.chosen]
    fig.add_trace(go.Scatter(x=part["share"], y=part["random"], name="Random order", mode="lines",
                             line={"color": rp.NEUTRAL, "dash": "dash", "width": 1.5}))
    rp.style_figure(fig, "Extra buyers found as more of the test is targeted, best-ranked first (Qini curves)",
                    "Share of the test targeted, highest predicted response first",
                    "Extra buyers among the offered (Qini)", x_unit="share", height=440, zero_based=False)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.28, "xanchor": "left", "x": 0.0},
                      margin={"b": 150})
    rp.show_figure(fig, "exp-qini", note="A curve above the dashed line ranks responders first; the area between "
                                         "them is the Qini area. Extra buyers are counted among the offered "
                                         "customers, against the held-out rate of the same top group. Curves may "
                                         "dip below zero where a group holds sleeping dogs.")

# %%
if r.present and r.comparison is not None:
    t = c.table.loc[c.learners]
    shown = pd.DataFrame({
        "Learner": t.index,
        "Qini area": [f"{a:.2f} ± {s:.2f}" for a, s in zip(t["qini_area"], t["qini_area_sd"], strict=True)],
        "Uplift-curve area (AUUC)": [rp.number(v, 2) for v in t["auuc"]],
        "Better than random": np.select([t["qini_area"] - t["qini_area_sd"] > 0, t["qini_area"] > 0],
                                        ["yes", "not clearly"], "no"),
        "Chosen": np.where(t["chosen"], "yes", ""),
    })
    rp.show_static_table(shown, numeric=["Qini area", "Uplift-curve area (AUUC)"])
    rp.show_markdown(
        "*Qini area: the area between a learner's Qini curve and the random line, in extra buyers (0 = no better "
        f"than random), the mean over {c.n_repeats} random splits ± its spread (better than random: yes when the "
        "mean minus the spread is above zero). AUUC: the same for the uplift "
        "curve (extra buyers had everyone in the top group been offered). The learners: T-learner (one purchase "
        "model per group, the difference), X-learner (imputed effects per group, blended), transformed outcome "
        "(one regression on a rescaled outcome), baseline-risk (the effect as a smooth function of the chance of "
        "buying anyway, from the buy-till-you-die model). Their scores are associations learned from one test, "
        "not rules.*")

# %%
if r.present and not r.learned:
    rp.show_markdown("## Everyone's predicted response today")
    rp.show_markdown(
        f"No learner found who responds, so every customer's `predicted_uplift` is the measured average, "
        f"{r.uplift.estimate * 100:+.1f} points: the test says how much the offer moves buying on average, not "
        "for whom.")

# %%
if r.present and r.learned:
    p = r.predicted_uplift.dropna()
    n_dogs, n_all = int((p < 0).sum()), len(p)
    rp.show_markdown("## Everyone's predicted response today")
    rp.show_markdown(
        f"The chosen learner, refitted on every test customer, scores all {rp.number(n_all)} customers on their "
        f"history to {rp.day(r.info['end_date'])}: `predicted_uplift` is the change in their chance of buying "
        f"within {r.outcome_days} days if they get the same offer now. {rp.plural(n_dogs, 'customer')} "
        f"({n_dogs / n_all:.0%}) {'is' if n_dogs == 1 else 'are'} predicted **sleeping dogs** (a negative "
        "uplift): a list ranked by predicted response leaves them out. The campaigns report ranks customers by "
        "predicted incremental profit from these numbers.")
    edges = np.linspace(float(np.floor(p.min() * 100) / 100), float(np.ceil(p.max() * 100) / 100) + 0.005, 31)
    counts, _ = np.histogram(p, bins=edges)
    mids = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(go.Bar(x=mids, y=counts, width=np.diff(edges) * 0.95,
                           marker_color=np.where(mids < 0, rp.LOSS, rp.GAIN),
                           customdata=np.stack([edges[:-1], edges[1:]], axis=1),
                           hovertemplate="%{customdata[0]:+.1%} to %{customdata[1]:+.1%}: %{y:,} customers"
                                         "<extra></extra>"))
    rp.style_figure(fig, f"Predicted uplift of every customer today: {n_dogs / n_all:.0%} sleeping dogs (red)",
                    f"Predicted change in the chance of buying within {r.outcome_days} days (percentage points)",
                    "Customers", y_unit="count", height=380)
    fig.update_xaxes(tickformat="+.0%")
    fig.update_layout(bargap=0)
    rp.show_figure(fig, "exp-predicted")

# %%
if r.present:
    now = pd.DataFrame({"uplift": r.predicted_uplift, "profit": r.predicted_profit})
    positive = int((now["profit"] > 0).sum())
    offer = f"at {r.discount:.0%} off" if r.discount is not None else "at no discount (the file gives none)"
    rp.show_markdown(
        f"Priced {offer}, with the margin and contact cost of the params, the predicted uplift pays for the offer "
        f"for {rp.plural(positive, 'customer')} (their predicted extra margin within {r.outcome_days} days exceeds "
        "the discount they would redeem and the contact); the rest would cost more than they bring within the "
        "window. The campaigns report weighs this against the value at stake over the decision horizon.")

# %%
if r.present and r.truth is not None:
    tr = r.truth
    rp.show_markdown("## Appendix: the measurement against the generator's truth")
    rp.show_markdown(
        "The default data is generated, so each test customer's true response to the offer is known. This "
        "appendix checks the measurement and the learners against it; on real data it does not exist.")
    m = tr["measured"]
    inside = "inside" if tr["covered"] else "outside"
    rp.show_markdown(
        f"- **Average uplift.** True: {tr['true_uplift'] * 100:+.1f} points over the test's customers; measured "
        f"{m['estimate'] * 100:+.1f} ({level} interval {m['low'] * 100:+.1f} to {m['high'] * 100:+.1f}): the "
        f"truth lies {inside} the interval.\n"
        f"- **Response types in the test.** "
        + ", ".join(f"{rp.number(v)} {k.replace('_', ' ')}s" for k, v in tr["response_types"].items()) + ".")

# %%
if r.present and r.truth is not None and r.truth["shares"]:
    shares = pd.Series(tr["shares"]).sort_values()
    names = list(shares.index) + (["Best possible from behaviour"] if tr["best_possible_share"] is not None else [])
    values = list(shares.values) + ([tr["best_possible_share"]] if tr["best_possible_share"] is not None else [])
    colours = [rp.ACCENT if n == r.comparison.chosen else rp.NEUTRAL for n in shares.index] + ["#44546a"] * (
        len(names) - len(shares))
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=colours,
                           text=[f"{v:.0%}" for v in values], textposition="outside",
                           hovertemplate="%{y}: %{x:.1%} of the oracle's gain<extra></extra>"))
    rp.style_figure(fig, "Share of the oracle's targeting gain each learner finds (true uplift, no sampling noise)",
                    "Share of the oracle's area above random", None, x_unit="share", height=300)
    rp.show_figure(fig, "exp-oracle", note="The oracle ranks the test by each customer's true uplift (100%); "
                                           "random is 0%. Best possible from behaviour: ranking by the uplift the "
                                           "generator expects from each customer's hidden buying rate, before their "
                                           "type is drawn; no model of the data can beat it on average.")

# %%
if r.present and r.truth is not None and "end_share_of_oracle" in r.truth:
    tr = r.truth
    rp.show_markdown(
        f"- **Today's predictions.** Ranking every customer by `predicted_uplift` captures "
        f"{tr['end_share_of_oracle']:.0%} of the oracle's gain for the same offer made on "
        f"{rp.day(r.info['end_date'])} (the best possible from behaviour: {tr['end_best_possible_share']:.0%}; "
        f"correlation with the true uplift {tr['end_correlation']:.2f}).")
# %%
if r.present and r.truth is not None and "list" in r.truth:
    li = r.truth["list"]
    if li["n"]:
        rp.show_markdown(
            f"- **The list ranked by predicted incremental profit** ({rp.plural(li['n'], 'customer')} whose predicted "
            f"profit is positive) truly earns {rp.money(li['recommended'], cur)} over {li['horizon_days']} days, "
            f"against {rp.money(li['oracle'], cur)} for the best {rp.number(li['n'])} customers the oracle would "
            f"pick and {rp.money(li['random_expected'], cur)} for a random list of the same size (on average; "
            "before the campaign's fixed cost).")
    else:
        rp.show_markdown("- **The list ranked by predicted incremental profit** is empty: no customer's predicted "
                         "extra margin within the window pays for the discount and the contact.")

# %%
if r.present:
    rp.show_markdown("## Appendix: every outcome, overall")
    rows = r.effects[r.effects["by"] == "all"].set_index("outcome")
    names = {"purchased": "Bought (share)", "orders": "Orders per customer", "revenue": "Revenue per customer",
             "margin": "Margin per customer, net of discount"}
    units = {"purchased": "share", "orders": "number", "revenue": "money", "margin": "money"}
    shown = pd.DataFrame({
        "Outcome": [names[o] for o in rows.index],
        "Offered": [rp.format_value(v, units[o], cur) for o, v in rows["treatment_mean"].items()],
        "Held out": [rp.format_value(v, units[o], cur) for o, v in rows["control_mean"].items()],
        "Effect": [rp.pct_points(v) if o == "purchased" else rp.format_value(v, units[o], cur)
                   for o, v in rows["uplift"].items()],
        f"{level} interval": [
            f"{rp.pct_points(a)} to {rp.pct_points(b)}" if o == "purchased" else
            f"{rp.format_value(a, units[o], cur)} to {rp.format_value(b, units[o], cur)}"
            for o, a, b in zip(rows.index, rows["ci_low"], rows["ci_high"], strict=True)],
        "p-value": rows["p_value"].round(3),
        "Method": rows["method"],
    })
    rp.show_static_table(shown)
    rp.show_markdown(
        "*Purchase rate: difference of two proportions with the Miettinen-Nurminen score interval (Newcombe's "
        "when a small group has no buyer or only buyers); orders, revenue and margin: difference of means with "
        "Welch's interval. The margin is the params' margin on full-price revenue minus the discount given on "
        "the offered customers' first order in the window. p-value: the chance of an effect at least this large "
        "if the offer did nothing.*")
    rp.show_glossary(["purchase_uplift", "persuadable", "sure_thing", "lost_cause", "sleeping_dog",
                      "predicted_uplift", "qini_area", "auuc", "cross_fitting", "oracle", "p_value",
                      "confidence_interval"], title="Glossary")
