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
# # Executive summary

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import plotly.express as px

from retention import report as rp
from retention import stages

r = stages.run("07_executive_summary", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
rp.show_decision(r.decision, fold=True)

# %% [markdown]
# ## How the customer base is doing

# %%
rp.kpi_cards(rp.headline_kpi_cards(r.kpis))
rp.callout(r.narrative, title="In short", tone=r.tone)
if r.checks:
    rp.callout(" ".join(r.checks), title="The per-customer table disagrees with the headline numbers", tone="bad")
if r.warnings:
    rp.callout(" ".join(r.warnings), title="What the libraries warned about", tone="warning")

# %% [markdown]
# ## Where risk and value meet
# Each bubble is a segment of the customer base: how likely its customers are to stop buying (across) against
# what the business loses if one of them stops (up), sized by its number of customers. Segments up and to the
# right carry the expected loss. Risk and value alone do not make an offer worth its cost: the decision card
# above compares the campaigns' numbers.

# %%
chart = r.chart
fig = px.scatter(chart, x="mean_churn_probability", y="mean_value_at_stake", size="customers", color="group",
                 text="Segment", size_max=36, category_orders={"group": list(r.groups)},
                 color_discrete_map=dict(zip(r.groups, [rp.ACCENT, rp.NEUTRAL], strict=True)),
                 custom_data=["customers", "at_risk", "expected_loss", "targeted"])
fig.update_traces(marker={"opacity": 0.75, "line": {"width": 1, "color": "white"}},
                  hovertemplate="<b>%{text}</b><br>Mean churn probability %{x:.1%}<br>Mean value at stake "
                  + rp.currency_symbol(r.currency) + "%{y:,.2f}<br>%{customdata[0]:,} customers in the base, "
                  "%{customdata[1]:,} at risk<br>Expected loss " + rp.currency_symbol(r.currency)
                  + "%{customdata[2]:,.0f}<br>%{customdata[3]:,} in the recommended list<extra></extra>")
rp.style_figure(fig, r.chart_title, "Mean churn probability", "Mean value at stake per customer",
                x_unit="probability", y_unit="money", currency=r.currency, height=460)
fig.update_xaxes(range=r.chart_x_range)
fig.update_traces(textfont_size=11)
for trace in fig.data:
    trace.textposition = chart.loc[chart["group"] == trace.name, "label_position"].tolist()
fig.update_layout(legend_title_text="")
rp.show_figure(fig, "value-risk-by-segment", note="Customers of the customer base only; the lapsed customers are "
               "a win-back question, below.")

# %%
table = r.by_segment.reset_index()[["Segment", "customers", "at_risk", "mean_churn_probability",
                                    "mean_value_at_stake", "expected_loss", "targeted"]].rename(columns={
    "customers": "Customers in the base", "at_risk": "At risk", "mean_churn_probability": "Mean churn probability",
    "mean_value_at_stake": "Mean value at stake", "expected_loss": "Expected loss",
    "targeted": "In the recommended list"})
rp.show_static_table(table, units={"Customers in the base": "count", "At risk": "count",
                                   "Mean churn probability": "probability", "Mean value at stake": "money",
                                   "Expected loss": "money", "In the recommended list": "count"})
rp.show_markdown(r.lapsed_text)

# %% [markdown]
# ## The detailed reports and the lists

# %%
rp.show_markdown("\n".join(f"* [{title}]({href}): {question}" for href, title, question in r.reports))
rp.show_markdown("Lists for the CRM team (CSV; the [index page](index.html) documents every column):\n\n"
                 + "\n".join(f"* [{name}]({href}): {holds} ({rp.plural(rows, 'row')})"
                             for name, href, holds, rows in r.lists.itertuples(index=False)))

# %% [markdown]
# ## Glossary
# The decision and the headline numbers on this page are read from `decision.json` and `kpis.json`, the files the
# campaigns report (06) writes, and the index page shows them from the same files; the view of where risk and
# value meet adds up that step's per-customer table, which gives the same totals.

# %%
rp.show_glossary(r.glossary, title="The terms on this page")
