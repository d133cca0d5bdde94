# %% [markdown]
# # Executive summary
# The four numbers that say how the customer base is doing, where revenue is leaking, what the best
# retention campaign earns, and three actions. Every sentence below is written from the numbers of the
# detailed reports, which the links at the end open.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import pandas as pd
import plotly.graph_objects as go

from retention import clv, kpis, pipeline
from retention import segments as segments_module
from retention import report as rp
from retention.params import load_params

params = load_params(params_file)
prepared = pipeline.load_prepared(output_dir)
tx, info = prepared.transactions, prepared.info
currency = params["data"]["currency"]
end = pd.Timestamp(info["end_date"])
H = params["churn"]["horizon_days"]
high = params["churn"]["risk_bands"][1]
rp.setup_notebook(info, params_file)

customers = (pipeline.read_stage(output_dir, "segments")[["Segment", "Country", "Monetary", "M"]]
             .join(pipeline.read_stage(output_dir, "churn")).join(pipeline.read_stage(output_dir, "clv")))
previous = pipeline.read_work_table(output_dir, "churn_previous")
prev_cutoff = end - pd.Timedelta(days=H)
prev_values, *_ = clv.fit_value_table(
    tx, prev_cutoff, unit=params["clv"]["time_unit"], penalizer=params["clv"]["penalizer"],
    horizon_months=params["clv"]["horizon_months"], discount_rate_monthly=params["clv"]["discount_rate_monthly"],
    churn_horizon_days=H)
activity = kpis.activity_kpis(tx, end, H)
at_risk = kpis.Kpi("At-risk customers", int((customers["churn_probability"] >= high).sum()),
                   int((previous["churn_probability"] >= high).sum()),
                   f"customers with a churn probability of {high:.0%} or more")
exposure = kpis.Kpi("Revenue exposure", float(customers["revenue_at_risk"].sum()),
                    float((previous["churn_probability"] * prev_values["value_if_active"].reindex(previous.index)).sum()),
                    "churn probability × value if retained, summed over customers")
roi_summary = pipeline.read_work_json(output_dir, "roi_summary")
money = lambda v: rp.money(v, currency)  # noqa: E731

# %%
rp.kpi_cards([
    ("Active customers", rp.number(activity["active"].current),
     f"bought in the last {H} days; {kpis.change_text(activity['active'], rp.number)}"),
    ("At-risk customers", rp.number(at_risk.current),
     f"churn probability ≥ {high:.0%}; {kpis.change_text(at_risk, rp.number, higher_is_better=False)}"),
    ("Revenue exposure", money(exposure.current),
     f"revenue at risk; {kpis.change_text(exposure, money, higher_is_better=False)}"),
    ("Retention rate", rp.pct(activity["retention"].current),
     f"of last period's buyers bought again; {kpis.change_text(activity['retention'], rp.pct)}"),
])
segments = kpis.exposure_by(customers, "Segment", top=3)
countries = kpis.exposure_by(customers, "Country", top=3) if customers["Country"].notna().any() else None
leak = (f"Revenue leaks mostly through {segments.iloc[0]['Segment']} ({money(segments.iloc[0]['revenue_at_risk'])}, "
        f"{rp.pct(segments.iloc[0]['share'])} of the exposure)"
        + (f", then {' and '.join(segments['Segment'].iloc[1:3])}" if len(segments) > 1 else ""))
if countries is not None:
    leak += (f"; by country, {countries.iloc[0]['Country']} holds {rp.pct(countries.iloc[0]['share'])} of it"
             + (f", {countries.iloc[1]['Country']} {rp.pct(countries.iloc[1]['share'])}" if len(countries) > 1 else ""))
campaign = (f"The best campaign, {roi_summary['best_campaign']}, is expected to earn {money(roi_summary['best_net_profit'])} "
            f"net on {rp.number(roi_summary['best_targets'])} customers under the base assumptions; the chosen "
            f"{roi_summary['chosen_campaign']} campaign nets {money(roi_summary['chosen_net_base'])} in the base case and "
            f"{money(roi_summary['chosen_net_pessimistic'])} under pessimistic assumptions.")
rp.callout(
    f"As of {rp.day(end)}, {rp.number(activity['active'].current)} customers bought in the last {H} days and "
    f"{rp.pct(activity['retention'].current)} of the previous period's buyers came back. {rp.number(at_risk.current)} "
    f"customers are likely to stop buying, carrying {money(exposure.current)} of revenue at risk. {leak}. {campaign}")

# %% [markdown]
# ## Three recommended actions

# %%
in_risk_segment = customers["Segment"].isin(segments_module.AT_RISK_SEGMENTS)
high_value = int((in_risk_segment & (customers["M"] >= params["segmentation"]["high_value_min_m_score"])).sum())
actions = kpis.recommended_actions(roi_summary, kpis.exposure_by(customers, "Segment", top=11), high_value, money)
rp.show_markdown("\n".join(f"{i}. {a}" for i, a in enumerate(actions, 1)))

# %% [markdown]
# ## Where the revenue at risk sits

# %%
by_segment = kpis.exposure_by(customers, "Segment", top=11)
fig = go.Figure(go.Bar(x=by_segment["revenue_at_risk"], y=by_segment["Segment"], orientation="h",
                       marker_color=rp.PALETTE[3], customdata=by_segment[["customers", "share"]].to_numpy(),
                       hovertemplate="%{y}: %{x:,.0f} " + currency + " at risk, %{customdata[0]:,} customers "
                       "(%{customdata[1]:.0%})<extra></extra>"))
fig.update_yaxes(autorange="reversed")
rp.style_figure(fig, f"{' and '.join(by_segment['Segment'].iloc[:2])} hold{'s' if len(by_segment) == 1 else ''} "
                f"{rp.pct(by_segment['share'].iloc[:2].sum())} of the revenue at risk", f"Revenue at risk ({currency})",
                None, 420)
rp.show_figure(fig, "exposure-segments")
if countries is not None:
    table = kpis.exposure_by(customers, "Country", top=8)
    rp.show_static_table(pd.DataFrame({
        "Country": table["Country"], "Customers": table["customers"].map(rp.number),
        "Revenue at risk": table["revenue_at_risk"].map(money), "Share": table["share"].map(rp.pct)}),
        numeric=["Customers", "Revenue at risk", "Share"])

# %% [markdown]
# ## Definitions and the detailed reports
# * **Active customers**: bought at least once in the last period (the churn horizon); the comparison is
#   the period before it.
# * **At-risk customers**: the churn model's probability of no purchase in the next period is at or above
#   the high-risk threshold; the previous value is what the model said at the start of the last period.
# * **Revenue exposure**: churn probability × the value a customer brings over the CLV horizon if retained.
# * **Retention rate**: of the customers who bought in the period before, the share who bought again in
#   the last period.
#
# Reports: [Data and activity](01_eda.html) · [Customer segments](02_segmentation.html) ·
# [Churn model](03_churn_model.html) · [Lifetime value and campaign ROI](04_clv_roi.html).
# Lists for the CRM team: [high_value_at_risk.csv](artifacts/high_value_at_risk.csv) ·
# [churn_predictions.csv](artifacts/churn_predictions.csv) · [campaign_targets.csv](artifacts/campaign_targets.csv) ·
# [enhanced_customer_data.csv](artifacts/enhanced_customer_data.csv) · [roi_analysis.csv](artifacts/roi_analysis.csv).

# %%
headline = {
    "as_of": str(end.date()), "period_days": H, "currency": currency,
    "kpis": [{"name": k.name, "current": k.current, "previous": k.previous, "definition": k.definition}
             for k in (activity["active"], at_risk, exposure, activity["retention"])],
    "narrative": f"{leak}. {campaign}", "actions": actions,
}
_ = pipeline.write_work_json(headline, output_dir, "executive_summary")
