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
# # Customer segments: who our customers are
# Every customer scored 1 to 5 on recency, frequency and spend against the others (RFM) and named by those
# scores; whom to call first, how customers moved, and a data-driven second opinion.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("02_segmentation", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
cur = r.currency
everyone, best, drifting, quiet = r.group("all"), r.group("best"), r.group("at_risk"), r.group("quiet")
hvar = r.high_value_at_risk
segments_who = r.profile["Portrait"]
rp.kpi_cards([
    rp.KpiCard("Customers", rp.number(everyone["Customers"]),
               f"bought by {rp.day(r.as_of)}; {rp.pct(everyone['RepeatShare'], 0)} came back for more",
               definition="Customers with a purchase on or before the end of the data."),
    rp.KpiCard("Champions", rp.pct(best["CustomerShare"], 0),
               f"of customers bring {rp.pct(best['RevenueShare'], 0)} of revenue",
               definition=f"Champions: {segments_who['Champions'].lower()}" if "Champions" in segments_who else ""),
    rp.KpiCard("Drifting away", rp.number(drifting["Customers"]),
               f"spent {rp.money(drifting['Revenue'], cur)}, {rp.pct(drifting['RevenueShare'], 0)} of revenue",
               definition="Customers in the At Risk, Can't Lose Them and About To Sleep segments."),
    rp.KpiCard("Call first", rp.number(len(hvar)),
               f"high spenders drifting away; spent {rp.money(hvar['Monetary'].sum(), cur)}",
               definition=r.call_first_rule),
])
rp.callout(r.headline, title="Who our customers are")

# %% [markdown]
# ## Where the value sits
# Revenue here is each customer's net spend (purchases minus returns) from their first order to the end of
# the data.

# %%
shares = r.profile[["RevenueShare", "CustomerShare"]].reset_index().melt(
    id_vars="Segment", var_name="measure", value_name="share")
shares["measure"] = shares["measure"].map({"CustomerShare": "Share of customers", "RevenueShare": "Share of revenue"})
fig = px.bar(shares, x="share", y="Segment", color="measure", barmode="group", orientation="h",
             color_discrete_sequence=[rp.ACCENT, rp.NEUTRAL], category_orders={"Segment": r.segment_order})
fig.update_traces(hovertemplate="%{y}: %{x:.1%}<extra></extra>")
fig.update_yaxes(title_text=None)
fig.update_layout(legend_title_text=None, legend_traceorder="reversed")
top = r.profile.sort_values("RevenueShare", ascending=False).iloc[0]
rp.style_figure(fig, f"{top.name} are {rp.pct(top['CustomerShare'], 0)} of customers and bring "
                f"{rp.pct(top['RevenueShare'], 0)} of revenue", "Share of all customers or of all revenue", None,
                480, x_unit="share")
rp.show_figure(fig, "segment-shares")

# %% [markdown]
# ## Segment profiles: who they are and what to do
# The typical customer of each segment (the median across its customers), best segments first.

# %%
profile = r.profile
cols = ["Customers", "CustomerShare", "RevenueShare", "MedianRecency", "MedianFrequency"]
overall = pd.DataFrame([everyone[cols]], index=pd.Index(["All customers"], name="Segment"))
rows = pd.concat([profile[cols], overall])
table = pd.DataFrame({
    "Segment": rows.index,
    "Customers": rows["Customers"].astype(int).to_numpy(),
    "Share of customers": rows["CustomerShare"].to_numpy(),
    "Share of revenue": rows["RevenueShare"].to_numpy(),
    "Days since last order": rows["MedianRecency"].to_numpy(),
    "Orders": rows["MedianFrequency"].to_numpy(),
    "Net spend": [rp.money(v, cur, 0) for v in [*profile["MedianMonetary"], everyone["MedianMonetary"]]],
    "What to do": [*profile["Action"], ""],
})
rp.show_static_table(table, units={"Customers": "count", "Share of customers": "share", "Share of revenue": "share",
                                   "Days since last order": "days", "Orders": "count"})

rhythm = pd.concat([profile, pd.DataFrame([everyone], index=pd.Index(["All customers"], name="Segment"))])
rp.show_markdown("**How long they have been customers and how often they come back** (medians across customers; "
                 "days between orders only over the customers who bought on two or more days, — where none did):")
rp.show_static_table(pd.DataFrame({
    "Segment": rhythm.index,
    "Days since first order": rhythm["MedianTenure"].to_numpy(),
    "Came back for more": rhythm["RepeatShare"].to_numpy(),
    "Days between orders": rhythm["MedianDaysBetweenOrders"].to_numpy(),
    "Average net spend": [rp.money(v, cur, 0) for v in rhythm["AvgMonetary"]],
}), units={"Days since first order": "days", "Came back for more": "share", "Days between orders": "days"})

# %% [markdown]
# ## Call first: high spenders drifting away
# The customers with the most to lose, largest spend first, each with the reason in their own numbers.

# %%
if len(hvar):
    rp.show_markdown(f"**{rp.plural(len(hvar), 'customer')}** spent {rp.money(hvar['Monetary'].sum(), cur)}. "
                     f"On the list: {r.call_first_rule[0].lower()}{r.call_first_rule[1:]}")
    rp.show_table(hvar[["CustomerID", "Why", "Segment", "Monetary", "LastPurchase"]], "call-first",
                  page_length=10, csv_href=f"artifacts/{r.files['high_value_at_risk']}", showIndex=False,
                  maxBytes=0)
else:
    rp.show_markdown("*Nobody is on the list: no high spender sits in an at-risk segment.*")

# %% [markdown]
# ## How customers moved
# The broad groups of segments at an earlier date (left) and at the end of the data (right). *New* customers
# had not bought yet at the earlier date; *No purchase since* have not bought since: the churn path.

# %%
if r.migration is None:
    rp.show_markdown("*The data starts less than one migration period before its end: no earlier date to compare "
                     "with.*")
else:
    flow = r.migration_groups
    names = {"New (no history)": "New", "No purchase since": "No purchase since"}
    left = flow.groupby("from_group")["customers"].sum()
    left = left.reindex([g for g in r.flow_order if g in left.index])
    right = flow.groupby("to_group")["customers"].sum()
    right = right.reindex([g for g in r.flow_order if g in right.index])
    colors = {"New": rp.PALETTE[10], "Best": rp.GAIN, "Recent": rp.PALETTE[5], "Middle": rp.NEUTRAL,
              "At risk": rp.WARNING, "Gone quiet": rp.PALETTE[4], "No purchase since": rp.LOSS}
    labels = [names.get(g, g) for g in [*left.index, *right.index]]
    ys = [*((left.cumsum() - left / 2) / left.sum()), *((right.cumsum() - right / 2) / right.sum())]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "pad": 22, "thickness": 16, "color": [colors.get(g, rp.ACCENT) for g in labels],
              "x": [0.001] * len(left) + [0.999] * len(right), "y": [0.02 + 0.96 * y for y in ys],
              "hovertemplate": "%{label}: %{value:,} customers<extra></extra>"},
        link={"source": flow["from_group"].map(list(left.index).index).tolist(),
              "target": (flow["to_group"].map(list(right.index).index) + len(left)).tolist(),
              "value": flow["customers"].tolist(),
              "color": ["rgba(213,94,0,0.30)" if g == "No purchase since" else "rgba(140,140,140,0.25)"
                        for g in flow["to_group"]],
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,} customers<extra></extra>"}))
    went_quiet = int(right.get("No purchase since", 0))
    fig.add_annotation(x=0, y=-0.05, xref="paper", yref="paper", text=f"<b>{rp.day(r.earlier)}</b>",
                       showarrow=False, xanchor="left", yanchor="top")
    fig.add_annotation(x=1, y=-0.05, xref="paper", yref="paper", text=f"<b>{rp.day(r.as_of)}</b>",
                       showarrow=False, xanchor="right", yanchor="top")
    rp.style_figure(fig, f"{rp.plural(went_quiet, 'customer')} have not bought since {rp.day(r.earlier)}", height=520)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 50}, font_size=13)
    rp.show_figure(fig, "segment-flow", note="Groups: Best = Champions and Loyal Customers; Recent = Potential "
                   "Loyalists, New Customers and Promising; Middle = Need Attention; At risk = About To Sleep, At "
                   "Risk and Can't Lose Them; Gone quiet = Hibernating and Lost. Red flows: no purchase since.")
    moves = r.migration_summary
    rp.show_markdown(f"**Where each segment of {rp.day(r.earlier)} went** (the full table of moves: "
                     f"[{r.files['migration']}](artifacts/{r.files['migration']})):")
    rp.show_static_table(pd.DataFrame({
        "Segment then": moves.index,
        "Customers then": moves["customers"].to_numpy(),
        "Bought again since": moves["bought_again_share"].to_numpy(),
        "No purchase since": moves["no_purchase_since"].to_numpy(),
        "Most of those who bought are now": moves["top_destination"].to_numpy(),
    }), units={"Customers then": "count", "Bought again since": "share", "No purchase since": "count"})

# %% [markdown]
# ## Explore the customers
# Search by id or segment, filter by range, sort by any column, and download what you filtered. Churn
# probability, lifetime value and the recommended action per customer come later in the series (the churn,
# customer-value and campaign reports; every column joined in `enhanced_customer_data.csv`).

# %%
rp.customer_explorer(r.explorer, "customer-explorer", columns=list(r.explorer.columns), order_by="Monetary",
                     csv_href=f"artifacts/{r.files['customers']}")

# %%
cloud = r.points.assign(Spend=r.points["Monetary"].clip(lower=1.0))
fig = px.scatter_3d(cloud, x="Recency", y="Frequency", z="Spend", color="Segment",
                    category_orders={"Segment": r.segment_order}, log_y=True, log_z=True, opacity=0.7,
                    color_discrete_sequence=rp.PALETTE, hover_name="CustomerID",
                    hover_data={"Recency": True, "Frequency": True, "Monetary": ":,.2f", "Spend": False})
fig.update_traces(marker_size=3)
rp.style_figure(fig, "Champions sit recent, frequent and high-spend; Lost customers at the far end", height=520)
orders_ticks = [v for v in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] if v <= cloud["Frequency"].max() * 2]
spend_ticks = [v for v in [10, 100, 1000, 10000, 100000, 1000000] if v <= cloud["Spend"].max() * 10]
fig.update_layout(
    scene={"xaxis": {"title": {"text": "Recency (days)"}},
           "yaxis": {"title": {"text": "Orders"}, "tickvals": orders_ticks},
           "zaxis": {"title": {"text": ""}, "tickvals": spend_ticks,
                     "ticktext": [rp.money(v, cur, 0) for v in spend_ticks]},
           "aspectmode": "cube", "camera": {"eye": {"x": 1.95, "y": 1.95, "z": 1.0}}},
    legend={"orientation": "h", "x": 0.0, "y": 0.0, "yanchor": "top", "title_text": None},
    margin={"t": 10, "l": 0, "r": 0, "b": 10})
rp.show_figure(fig, "rfm-3d", note=" ".join(filter(None, [
    "Up: net spend; orders and spend on log scales. Drag to rotate, scroll to zoom, click a segment to hide it.", r.points_note])))

# %% [markdown]
# ## A second opinion: data-driven clusters
# k-means groups customers by their features alone (log-scaled and standardised), without the segment rules;
# the number of clusters is the one with the highest silhouette score (how much closer customers sit to their
# own cluster than to the next, from -1 to 1).

# %%
clusters = r.clusters
sil = clusters.silhouette
fig = px.line(sil, x="k", y="silhouette", markers=True, color_discrete_sequence=[rp.ACCENT])
for low, high, words in [(0.0, 0.25, "no real structure"), (0.25, 0.5, "weak"), (0.5, 0.7, "reasonable"),
                         (0.7, 1.0, "strong")]:
    fig.add_hrect(y0=low, y1=high, line_width=0, fillcolor=rp.NEUTRAL, opacity=0.06 + 0.05 * (low > 0.2),
                  annotation_text=words, annotation_position="right", annotation_font_color=rp.NEUTRAL)
fig.update_traces(hovertemplate="k = %{x}: silhouette %{y:.2f}<extra></extra>")
fig.update_yaxes(range=[0, 1])
fig.update_xaxes(dtick=1)
rp.style_figure(fig, f"k = {clusters.k} separates the customers best, but only with {clusters.verdict} "
                f"(silhouette {clusters.score:.2f})", "Number of clusters k", "Silhouette score", 340)
fig.update_layout(margin={"r": 110})
rp.show_figure(fig, "cluster-silhouette")
rp.callout(f"The best split finds {clusters.k} clusters with {clusters.verdict} (silhouette {clusters.score:.2f} "
           f"on a scale up to 1): the clusters overlap, so read them as a rough summary. The RFM segments above stay "
           f"the working groups." if clusters.score <= 0.5 else
           f"The best split finds {clusters.k} clusters with {clusters.verdict} (silhouette {clusters.score:.2f}).",
           title="How clear are the clusters?", tone="warning" if clusters.score <= 0.5 else "info")

cp = r.cluster_profile
feature_cols = [c for c in cp.columns if c not in ("Description", "Customers", "CustomerShare")]
cluster_table = pd.DataFrame({"Cluster": [f"Cluster {c}" for c in cp.index], "Description": cp["Description"],
                              "Customers": cp["Customers"].to_numpy(), "Share": cp["CustomerShare"].to_numpy()})
for col in feature_cols:
    cluster_table[rp.label(col)] = ([rp.money(v, cur, 0) for v in cp[col]] if rp.COLUMNS[col].unit == "money"
                                    else cp[col].round(0).to_numpy())
rp.show_markdown("**The clusters** (medians across each cluster's customers):")
rp.show_static_table(cluster_table.reset_index(drop=True), units={"Customers": "count", "Share": "share"})

cross = r.crosstab
fig = go.Figure(go.Heatmap(
    z=cross.to_numpy(), x=[f"Cluster {c}" for c in cross.columns], y=list(cross.index), colorscale="Blues",
    texttemplate="%{z:,}", showscale=False,
    hovertemplate="%{y} in %{x}: %{z:,} customers<extra></extra>"))
fig.update_yaxes(autorange="reversed")
fig.update_xaxes(side="top")
rp.style_figure(fig, "Each cluster gathers a few neighbouring RFM segments", None, None, 120 + 34 * len(cross))
rp.show_figure(fig, "cluster-crosstab")

# %% [markdown]
# ## Files
# The lists behind this report, one row per customer (CSV columns keep machine names; see the index page).

# %%
links = [("every customer with segment, scores and cluster", r.files["customers"]),
         ("the call-first list", r.files["high_value_at_risk"]), ("segment moves", r.files["migration"])]
links += [(f"the {name} segment", f) for name, f in r.segment_files.items()]
rp.show_markdown("\n".join(f"- [{f}](artifacts/{f}): {what}" for what, f in links))

# %% [markdown]
# ## Appendix: definitions

# %%
rules = pd.DataFrame(list(r.rules))
rules = rules.drop_duplicates("segment").set_index("segment").reindex(r.segment_order)
rp.show_markdown("**The segments** (recency score R and frequency-spend score FM, each 1 to 5 against the other "
                 "customers; FM is the mean of the frequency and spend scores, rounded up):")
rp.show_static_table(pd.DataFrame({
    "Segment": rules.index,
    "R score": [f"{a}–{b}" if a != b else f"{a}" for a, b in rules["r"]],
    "FM score": [f"{a}–{b}" if a != b else f"{a}" for a, b in rules["fm"]],
    "Who they are": [r.profile.loc[s, "Portrait"] for s in rules.index],
}))
rp.show_glossary(["Segment", "R", "F", "M", "RFM", "FM", "Recency", "Frequency", "Monetary", "AvgOrderValue",
                  "Tenure", "DaysBetweenOrders", "RepeatShare", "Cluster", "silhouette"],
                 title="Glossary of the measures")

# %%
if r.truth_check is None:
    rp.show_markdown("*No check against the truth: only generated data comes with the customers' true fates.*")
else:
    rp.show_markdown("### Segments against the generator's truth")
    t = r.truth_summary
    rp.callout(
        f"This data is generated, so we know what each customer really did next. "
        f"{rp.pct(t['dropped_in_watched'], 0)} of the customers who had truly dropped out by the end sit in the "
        f"at-risk, hibernating or lost segments (which hold {rp.pct(t['watched_share'], 0)} of all customers), and "
        f"{rp.pct(t['silent_in_watched'], 0)} of those who really made no purchase in the next 90 days. In the "
        f"buy-till-you-die process behind the data a customer can only drop out after a repeat purchase, so "
        f"one-time buyers (most of Lost and Hibernating) stay formally active with a low purchase rate: the 90-day "
        f"column is the fairer check for them.", title="What the truth says")
    check = r.truth_check
    rp.show_static_table(pd.DataFrame({
        "Segment": check.index, "Customers": check["customers"].to_numpy(),
        "Truly dropped out by the end": check["dropped_out"].to_numpy(),
        "No purchase in the next 90 days": check["no_purchase_90d"].to_numpy()}),
        units={"Customers": "count", "Truly dropped out by the end": "share",
               "No purchase in the next 90 days": "share"})
