# %% [markdown]
# # Customer segments
# Who the customers are, as of the end of the data: the standard RFM segments (recency, frequency and
# monetary value scored 1–5 against the other customers), data-driven clusters, how customers moved
# between segments over the last months, and the lists a CRM team can act on.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from retention import pipeline, privacy, segments
from retention import report as rp
from retention.features import FEATURE_DESCRIPTIONS, customer_features
from retention.params import load_params

params = load_params(params_file)
seg_params = params["segmentation"]
prepared = pipeline.load_prepared(output_dir)
tx, returns, info = prepared.transactions, prepared.returns, prepared.info
currency = params["data"]["currency"]
symbol = rp.CURRENCY_SYMBOLS.get(currency, currency + " ")
salt = privacy.id_salt(params)
end = pd.Timestamp(info["end_date"])
rp.setup_notebook(info, params_file)

features = customer_features(tx, end, returns=returns, peak_months=params["features"]["peak_months"])
scores = segments.rfm_scores(features)
segment = segments.assign_segments(scores, seg_params["rules"])
profile = segments.segment_profile(features, segment)
clusters = segments.cluster_customers(features, seg_params["cluster_features"],
                                      (seg_params["k_min"], seg_params["k_max"]), seed=seg_params["seed"])
at_risk = profile.loc[profile.index.isin(segments.AT_RISK_SEGMENTS)]
champions = profile.loc["Champions"] if "Champions" in profile.index else None
top = profile.sort_values("RevenueShare", ascending=False).iloc[0]

# %%
rp.kpi_cards([
    ("Customers", rp.number(len(features)), f"as of {rp.day(end)}"),
    ("Champions", rp.pct(champions["CustomerShare"]) if champions is not None else "n/a",
     f"of customers, {rp.pct(champions['RevenueShare'])} of revenue" if champions is not None else ""),
    ("At risk", rp.number(at_risk["Customers"].sum()), "At Risk, Can't Lose Them, About To Sleep"),
    ("Value at risk", rp.money(at_risk["Revenue"].sum(), currency),
     f"{rp.pct(at_risk['RevenueShare'].sum())} of all past spend"),
])
rp.callout(
    f"{top.name} are {rp.pct(top['CustomerShare'])} of customers but bring {rp.pct(top['RevenueShare'])} of "
    f"revenue. The three at-risk segments hold {rp.number(at_risk['Customers'].sum())} customers who spent "
    f"{rp.money(at_risk['Revenue'].sum(), currency)} ({rp.pct(at_risk['RevenueShare'].sum())} of all spend) and "
    f"have not ordered for a median of {at_risk['MedianRecency'].median():.0f} days: they are the first "
    f"target for retention. The k-means clustering finds {clusters.k} behavioural groups that mostly agree "
    f"with the segments (see the crosstab)."
)

# %% [markdown]
# ## Where the value and the risk sit
# Box size is the number of customers in a segment; colour is its share of revenue (net spend up to
# the end of the data). The bars compare each segment's share of customers with its share of revenue.

# %%
tree = profile.reset_index()
root = "All customers"
fig = go.Figure(go.Treemap(
    labels=[root, *tree["Segment"]], parents=["", *[root] * len(tree)], values=[0, *tree["Customers"]],
    text=["", *tree["Customers"].map(lambda n: f"{n:,} customers")], textinfo="label+text",
    marker={"colors": [0.0, *tree["RevenueShare"]], "colorscale": "Blues", "showscale": True,
            "colorbar": {"title": "Revenue share", "tickformat": ".0%"}},
    customdata=[[1.0, float(tree["AvgMonetary"].mean())], *tree[["RevenueShare", "AvgMonetary"]].to_numpy().tolist()],
    hovertemplate="%{label}: %{value:,} customers<br>revenue share %{customdata[0]:.1%}, average spend "
    "%{customdata[1]:,.0f} " + currency + "<extra></extra>", pathbar={"visible": False}, tiling={"pad": 2}))
rp.style_figure(fig, f"{top.name} bring the largest share of revenue ({rp.pct(top['RevenueShare'])})", height=460)
rp.show_figure(fig, "segment-treemap")

shares = profile[["CustomerShare", "RevenueShare"]].reset_index().melt(
    id_vars="Segment", var_name="measure", value_name="share")
shares["measure"] = shares["measure"].map({"CustomerShare": "Share of customers", "RevenueShare": "Share of revenue"})
fig = px.bar(shares, x="share", y="Segment", color="measure", barmode="group", orientation="h",
             color_discrete_sequence=[rp.PALETTE[5], rp.PALETTE[0]])
fig.update_traces(hovertemplate="%{y}: %{x:.1%}<extra></extra>")
fig.update_xaxes(tickformat=".0%")
fig.update_yaxes(autorange="reversed", title_text=None)
fig.update_layout(legend_title_text=None)
rp.style_figure(fig, "Top segments bring far more revenue than their head count", "Share (%)", None, 480)
rp.show_figure(fig, "segment-shares")

# %% [markdown]
# ## Segment profiles
# Typical (median) behaviour per segment. Recency and tenure are days before the end of the data,
# velocity is the mean number of days between orders.

# %%
table = pd.DataFrame({
    "Segment": profile.index,
    "Customers": profile["Customers"].map(rp.number),
    "Share of revenue": profile["RevenueShare"].map(rp.pct),
    "Median recency (days)": profile["MedianRecency"].map(lambda v: f"{v:.0f}"),
    "Median orders": profile["MedianFrequency"].map(lambda v: f"{v:.0f}"),
    f"Median spend ({currency})": profile["MedianMonetary"].map(lambda v: rp.money(v, currency, 0)),
    "Median tenure (days)": profile["MedianTenure"].map(lambda v: f"{v:.0f}"),
    "Median days between orders": profile["MedianPurchaseVelocity"].map(lambda v: f"{v:.0f}"),
    "What to do": [segments.SEGMENT_DESCRIPTIONS.get(s, "") for s in profile.index],
})
rp.show_static_table(table, numeric=[c for c in table.columns if c not in ("Segment", "What to do")])

# %% [markdown]
# ## Explore the customers in 3D
# Each dot is a customer placed by recency, number of orders and net spend (orders and spend on log
# axes because a few wholesale customers dwarf the rest). Drag to rotate, scroll to zoom, click a
# segment in the legend to hide it; hover shows the customer id and values.

# %%
cloud = features[["Recency", "Frequency", "Monetary"]].assign(
    Segment=segment, CustomerID=privacy.pseudonymise(features.index, salt).to_numpy(),
    Spend=features["Monetary"].clip(lower=1.0))
order = [s for s in segments.SEGMENT_ORDER if s in set(segment)]
fig = px.scatter_3d(cloud.reset_index(drop=True), x="Recency", y="Frequency", z="Spend", color="Segment",
                    category_orders={"Segment": order}, log_y=True, log_z=True, opacity=0.7,
                    color_discrete_sequence=rp.PALETTE, hover_name="CustomerID",
                    hover_data={"Recency": True, "Frequency": True, "Monetary": ":,.2f", "Spend": False})
fig.update_traces(marker_size=3)
fig.update_layout(scene={"xaxis_title": "Recency (days since last order)", "yaxis_title": "Orders (log)",
                         "zaxis_title": f"Net spend ({currency}, log)"})
rp.style_figure(fig, "Champions sit recent, frequent and high-spend; Lost customers at the far end", height=680)
fig.update_layout(legend={"orientation": "v", "x": 1.0, "xanchor": "right", "y": 0.5, "yanchor": "middle",
                          "title_text": "Segment"}, margin={"t": 60, "l": 0, "r": 0, "b": 0})
rp.show_figure(fig, "rfm-3d")

# %% [markdown]
# ## Data-driven clusters
# k-means on log-transformed, standardised customer features; the number of clusters k is the one with
# the highest silhouette score (how much closer customers are to their own cluster than to the next).
# The crosstab shows how the clusters line up with the rule-based segments.

# %%
sil = clusters.silhouette
fig = px.line(sil, x="k", y="silhouette", markers=True, color_discrete_sequence=[rp.PALETTE[0]])
fig.add_vline(x=clusters.k, line_dash="dot", line_color=rp.PALETTE[3])
fig.update_traces(hovertemplate="k = %{x}: silhouette %{y:.3f}<extra></extra>")
rp.style_figure(fig, f"k = {clusters.k} separates the customers best (silhouette "
                f"{sil.set_index('k').loc[clusters.k, 'silhouette']:.2f})", "Number of clusters k",
                "Silhouette score (higher is better)", 340)
rp.show_figure(fig, "cluster-silhouette")

cent = clusters.centroids
cluster_table = pd.DataFrame({"Cluster": cent.index, "Description": clusters.descriptions.loc[cent.index].to_numpy(),
                              "Customers": cent["customers"].map(rp.number)})
for col in seg_params["cluster_features"]:
    if col in ("Monetary", "AvgOrderValue"):
        cluster_table[f"{col} ({currency})"] = cent[col].map(lambda v: rp.money(v, currency, 0))
    else:
        cluster_table[col] = cent[col].map(lambda v: f"{v:,.0f}")
rp.show_markdown("Cluster medians (recency and tenure in days, frequency in orders):")
rp.show_static_table(cluster_table, numeric=[c for c in cluster_table.columns if c not in ("Cluster", "Description")])

cross = pd.crosstab(segment.rename("Segment"), clusters.labels.rename("Cluster")).reindex(order)
fig = go.Figure(go.Heatmap(
    z=cross.to_numpy(), x=[f"{c}: {clusters.descriptions.loc[c]}" for c in cross.columns], y=cross.index,
    colorscale="Blues", texttemplate="%{z}", colorbar={"title": "Customers"},
    hovertemplate="%{y} in cluster %{x}: %{z} customers<extra></extra>"))
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, "Each cluster gathers a few neighbouring RFM segments", "Cluster", "RFM segment", 520)
rp.show_figure(fig, "cluster-crosstab")

# %% [markdown]
# ## How customers moved: segment migration
# Segments at an earlier cutoff (left) and at the end of the data (right). *New (no history)* are
# customers who had not bought yet at the earlier cutoff; *No purchase since* are customers who have
# not bought since the earlier cutoff — the churn paths.

# %%
earlier = end - pd.Timedelta(days=seg_params["migration_days"])
features_before = customer_features(tx, earlier, returns=returns, peak_months=params["features"]["peak_months"])
segment_before = segments.assign_segments(segments.rfm_scores(features_before), seg_params["rules"])
lapsed = segments.lapsed_customers(features_before, features)
migration = segments.segment_migration(segment_before, segment, lapsed=lapsed)
assert migration["customers"].sum() == len(features)
sources = list(dict.fromkeys(migration["from_segment"]))
targets = list(dict.fromkeys(migration["to_segment"]))
labels = [f"{s} (then)" for s in sources] + [f"{s} (now)" for s in targets]
fig = go.Figure(go.Sankey(
    node={"label": labels, "pad": 12, "thickness": 14,
          "color": [rp.PALETTE[i % len(rp.PALETTE)] for i in range(len(labels))]},
    link={"source": migration["from_segment"].map(sources.index).tolist(),
          "target": (migration["to_segment"].map(targets.index) + len(sources)).tolist(),
          "value": migration["customers"].tolist(),
          "hovertemplate": "%{source.label} → %{target.label}: %{value:,} customers<extra></extra>"},
))
went_quiet = migration.loc[migration["to_segment"] == segments.LAPSED_SEGMENT, "customers"].sum()
rp.style_figure(fig, f"{rp.number(went_quiet)} customers have not bought since {rp.day(earlier)}", height=620)
rp.show_figure(fig, "segment-sankey")
_ = pipeline.write_artifact(migration, output_dir, "segment_migration.csv")

# %% [markdown]
# ## Every customer
# Search by id, or filter by typing a segment name (e.g. *At Risk*) in the search box; click a column
# to sort. Spend is net of returns, in the currency of the data.

# %%
enhanced = features.join(scores).assign(Segment=segment, Cluster=clusters.labels,
                                        ClusterDescription=clusters.descriptions.loc[clusters.labels].to_numpy())
_ = pipeline.write_stage(enhanced, output_dir, "segments")
view = enhanced.reset_index()[["CustomerID", "Segment", "RFM", "Recency", "Frequency", "Monetary",
                               "AvgOrderValue", "Tenure", "Country", "Cluster"]]
view["CustomerID"] = privacy.pseudonymise(view["CustomerID"], salt)
view["Monetary"] = view["Monetary"].round(2)
view["AvgOrderValue"] = view["AvgOrderValue"].round(2)
view = view.sort_values(["Monetary", "CustomerID"], ascending=[False, True])
rp.show_table(view, "customer-table", page_length=15, column_filters="footer", maxBytes=0, showIndex=False)

# %% [markdown]
# ## Action lists
# `high_value_at_risk.csv` lists the customers with a high spend score who sit in an at-risk segment,
# with why they are on it; call them first. Further per-segment lists are written for the segments named
# in `segmentation.export_segments` in the params.

# %%
hvar = segments.high_value_at_risk(features, scores, segment, min_m_score=seg_params["high_value_min_m_score"],
                                   currency_symbol=symbol)
hvar["CustomerID"] = privacy.pseudonymise(hvar["CustomerID"], salt)
_ = pipeline.write_artifact(hvar, output_dir, "high_value_at_risk.csv")
written = ["high_value_at_risk.csv"]
for name in seg_params["export_segments"]:
    members = enhanced[enhanced["Segment"] == name].reset_index()
    members["CustomerID"] = privacy.pseudonymise(members["CustomerID"], salt)
    file = "segment_" + name.lower().replace(" ", "_").replace("'", "") + ".csv"
    _ = pipeline.write_artifact(members, output_dir, file)
    written.append(file)
rp.show_markdown(
    f"**{rp.number(len(hvar))} high-value customers at risk** spent {rp.money(hvar['Monetary'].sum(), currency)}. "
    + "Files: " + ", ".join(f"[{f}](artifacts/{f})" for f in written) + ", [enhanced_customer_data.csv]"
    "(artifacts/enhanced_customer_data.csv), [segment_migration.csv](artifacts/segment_migration.csv).")
rp.show_table(hvar, "hvar-table", page_length=10, maxBytes=0, showIndex=False)

# %% [markdown]
# ## Appendix: definitions and a check against the ground truth

# %%
rp.show_static_table(pd.DataFrame({"Feature": list(FEATURE_DESCRIPTIONS), "Meaning": list(FEATURE_DESCRIPTIONS.values())}))
truth = pipeline.load_truth(params)
if truth is not None:
    known = truth.loc[segment.index]
    check = pd.DataFrame({"Segment": segment, "dropped": ~known["alive_at_end"],
                          "silent": known["purchases_next_90d"] == 0})
    by_segment = check.groupby("Segment")[["dropped", "silent"]].mean().reindex(order)
    sizes = check.groupby("Segment").size().reindex(order)
    at_risk_side = check["Segment"].isin(segments.AT_RISK_SEGMENTS | {"Hibernating", "Lost"})
    rp.callout(
        f"The default data is generated, so we know what each customer really did. {rp.pct(at_risk_side[check['dropped']].mean())} "
        f"of the customers who had truly dropped out by the end sit in the at-risk, hibernating or lost segments "
        f"(which hold {rp.pct(at_risk_side.mean())} of all customers), and {rp.pct(at_risk_side[check['silent']].mean())} "
        f"of those who really made no purchase in the next 90 days. In the buy-till-you-die process behind the data a "
        f"customer can only drop out after a repeat purchase, so one-time buyers (most of Lost and Hibernating) stay "
        f"formally alive with a low purchase rate: the 90-day column is the fairer check for them.",
        title="Segments against the generator's truth")
    rp.show_static_table(pd.DataFrame({
        "Segment": by_segment.index, "Customers": sizes.map(rp.number),
        "Truly dropped out by the end": by_segment["dropped"].map(rp.pct),
        "No purchase in the next 90 days": by_segment["silent"].map(rp.pct)}),
        numeric=["Customers", "Truly dropped out by the end", "No purchase in the next 90 days"])
else:
    rp.show_markdown("*No ground truth for this data (only the generated data has one).*")
