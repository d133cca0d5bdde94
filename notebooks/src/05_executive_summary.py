# %% [markdown]
# # Executive summary
# The numbers that say how the customer base is doing, what it stands to lose, which retention campaign
# to run (or none) and three actions. Every sentence below is written from `kpis.json` and `decision.json`,
# which the detailed reports' computations produce; the links at the end open those reports.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import json
import warnings

import pandas as pd

from retention import pipeline
from retention import decisions as dc
from retention import report as rp
from retention.params import load_params

# A flat likelihood (a parameter on a ridge) leaves its standard error undefined and holds that parameter in
# the uncertainty draws: the model table says so (n/a) instead of the library's warnings.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"retention\.clv")

params = load_params(params_file)
prepared = pipeline.load_prepared(output_dir)
tx, info = prepared.transactions, prepared.info
currency = params["data"]["currency"]
end = pd.Timestamp(info["end_date"])
H = params["churn"]["horizon_days"]
cp = params["clv"]
dp = dc.decision_settings(params.get("decision"))
margin = params["roi"]["economics"]["margin"]
rp.setup_notebook(info, params_file)
artifacts = pipeline.output_paths(output_dir)["artifacts"]

prev_cutoff = end - pd.Timedelta(days=H)
settings = {"base_window_days": dp["base_window_days"], "at_risk_threshold": dp["at_risk_threshold"], "margin": margin}
frames = {}
for as_of, customers, churn in ((end, pipeline.read_stage(output_dir, "segments"), pipeline.read_stage(output_dir, "churn")),
                                (prev_cutoff, dc.last_purchases(tx, prev_cutoff).to_frame(),
                                 pipeline.read_work_table(output_dir, "churn_previous"))):
    values = dc.value_table_as_of(tx, as_of, time_unit=cp["time_unit"], penalizer=cp["penalizer"],
                                  horizon_months=dp["horizon_months"])
    frames[as_of] = dc.decision_frame(customers, churn, values, as_of=as_of, **settings)
frame, previous = frames[end], frames[prev_cutoff]
kpis = dc.headline_kpis(frame, previous, tx, as_of=end, horizon_days=H, base_window_days=dp["base_window_days"],
                        at_risk_threshold=dp["at_risk_threshold"], horizon_months=dp["horizon_months"])
kpi_doc = dc.kpis_document(kpis, as_of=end, previous_as_of=prev_cutoff, currency=currency, period_days=H)
_ = dc.write_json(kpi_doc, artifacts / "kpis.json")
decision = json.loads((artifacts / "decision.json").read_text(encoding="utf-8"))
lapsed = dc.lapsed_summary(frame, end)
money = lambda v: rp.money(v, currency)  # noqa: E731
formats = {"count": rp.number, "share": rp.pct, "money": money}
by_key = {k.key: k for k in kpis}

# %%
rp.kpi_cards([(k.name, formats[k.unit](k.current), f"{k.definition}; {dc.change_text(k, formats[k.unit])}")
              for k in kpis])
narrative = (f"As of {rp.day(end)} the customer base is {rp.number(by_key['base'].current)} customers (a purchase in "
             f"the last {dp['base_window_days']} days). {rp.number(by_key['at_risk'].current)} of them "
             f"({rp.pct(by_key['at_risk_share'].current)}) are at risk, and the base's expected loss is "
             f"{money(by_key['expected_loss'].current)}. {rp.pct(by_key['retention_rate'].current)} of the base "
             f"{H} days ago bought again since. {decision['headline']}")
rp.callout(narrative)

# %% [markdown]
# ## Three recommended actions

# %%
if decision["action"] == "run" and decision["expected_net_profit"] > 0:
    test_action = (f"Keep a random control group inside {decision['campaign']} to measure the real uplift: it makes "
                   f"money only if the offer keeps at least {rp.pct(decision['break_even_uplift'])} of would-be "
                   f"churners (assumed {rp.pct(decision['assumed_uplift'])}).")
elif decision["test_campaign"] is not None:
    test_action = (f"Test {decision['test_campaign']} on a random half of its customers first; roll it out only if "
                   f"the measured uplift beats {rp.pct(decision['break_even_uplift'])}.")
else:
    test_action = "Define an offer that targets someone before testing: no option has any customer."
actions = [
    decision["headline"],
    test_action,
    f"Treat the {rp.number(lapsed['lapsed'])} lapsed customers (no purchase in {dp['base_window_days']} days, median "
    f"{lapsed['median_days_since_purchase']:.0f} days) as a separate win-back question; they are not in the "
    f"expected loss.",
]
rp.show_markdown("\n".join(f"{i}. {a}" for i, a in enumerate(actions, 1)))

# %% [markdown]
# ## Where risk and value meet

# %%
by_segment = dc.segment_value_risk(frame)
rp.show_static_table(pd.DataFrame({
    "Segment": by_segment.index, "Customers": by_segment["customers"].map(rp.number),
    "At risk": by_segment["at_risk"].map(rp.number),
    "Mean churn probability": by_segment["mean_churn_probability"].map(rp.pct),
    "Mean value at stake": by_segment["mean_value_at_stake"].map(money),
    "Expected loss": by_segment["expected_loss"].map(money),
}), numeric=["Customers", "At risk", "Mean churn probability", "Mean value at stake", "Expected loss"])

# %% [markdown]
# ## Definitions and the detailed reports

# %%
rp.show_markdown("\n".join(f"* **{term[0].upper() + term[1:]}**: {text}" for term, text in dc.GLOSSARY.items()))
rp.show_markdown(
    "Reports: [Data and activity](01_eda.html) · [Customer segments](02_segmentation.html) · "
    "[Churn model](03_churn_model.html) · [Lifetime value and campaign ROI](04_clv_roi.html). "
    "Lists for the CRM team: [high_value_at_risk.csv](artifacts/high_value_at_risk.csv) · "
    "[churn_predictions.csv](artifacts/churn_predictions.csv) · [campaign_targets.csv](artifacts/campaign_targets.csv) · "
    "[enhanced_customer_data.csv](artifacts/enhanced_customer_data.csv) · [roi_analysis.csv](artifacts/roi_analysis.csv) · "
    "[kpis.json](artifacts/kpis.json) · [decision.json](artifacts/decision.json).")

# %%
headline = {
    "as_of": str(end.date()), "period_days": H, "currency": currency,
    "kpis": [{"name": k.name, "current": k.current, "previous": k.previous, "definition": k.definition,
              "unit": k.unit, "change": k.verdict} for k in kpis],
    "narrative": narrative, "actions": actions,
}
_ = pipeline.write_work_json(headline, output_dir, "executive_summary")
