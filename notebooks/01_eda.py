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
# # The data: what we sell, to whom, and when
# What is in the transaction log, whether it can be trusted, and how the business moves: revenue, orders and
# customers per month, when people shop, where revenue comes from, order sizes and how many new customers come
# back.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import plotly.graph_objects as go

from retention import report as rp
from retention import stages

r = stages.run("01_eda", params_file, output_dir)
rp.setup_notebook(r.info, params_file)
h, cur = r.headline, r.currency
cut = r.largest_cut
repeat = r.next_month

# %%
rp.kpi_cards([
    ("Revenue", rp.money(h["revenue"], cur), f"{rp.day(h['first_date'])} to {rp.day(h['last_date'])}"),
    ("Customers", rp.number(h["customers"]), f"{rp.pct(h['one_time_share'])} bought only once"),
    ("Orders", rp.number(h["orders"]), f"median {rp.money(h['median_order_value'], cur)} per order"),
    ("Lines used", rp.pct(r.kept_share), f"{rp.number(r.info['rows_kept'])} of {rp.number(r.info['rows_in'])} lines"),
])
rp.callout(r.in_short, title="In short")

# %% [markdown]
# ## What the cleaning removed
# Every line of the file is either used or left out for exactly one reason, checked in the order below (a
# line counts under the first rule it breaks), so the lines add up: lines in the file = lines kept + lines left
# out. Revenue is quantity × unit price of the lines in each row (cancellations take money back, so theirs is
# negative). The full ledger is in `artifacts/cleaning_ledger.csv`.

# %%
if r.notes:
    rp.show_list(r.notes, "Notes on this file:")
shown = r.ledger[(r.ledger["rows"] > 0) | r.ledger["reason"].isin(["rows_in", "rows_kept"])]
ledger = shown.assign(reason=shown["reason"].map(rp.reason_label))[["reason", "rows", "share_of_rows", "revenue"]]
rp.show_static_table(ledger, labels=True, units={"rows": "count", "share_of_rows": "share", "revenue": "money"})
used = r.dropped[r.dropped["rows"] > 0]
if len(used):
    rp.show_list([f"{rp.reason_label(reason)}: {rule}." for reason, rule in zip(used["reason"], used["rule"],
                                                                                   strict=True)],
                 "What each rule means:")
idle = r.dropped[r.dropped["rows"] == 0]
if len(idle):
    rp.show_markdown("Rules that found no line to leave out: "
                     + ", ".join(rp.reason_label(reason).lower() for reason in idle["reason"]) + ".")

# %%
dropped = r.dropped[r.dropped["rows"] > 0]
if cut is None:
    rp.show_markdown("*No line was left out: every line of the file is a purchase the reports use.*")
elif len(dropped) > 1:
    fig = go.Figure(go.Bar(
        x=dropped["rows"], y=dropped["reason"].map(rp.reason_label), orientation="h", marker_color=rp.NEUTRAL,
        text=dropped["rows"].map(rp.number), textposition="outside",
        customdata=dropped["share_of_rows"], hovertemplate="%{y}: %{x:,} lines (%{customdata:.1%})<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    if dropped["rows"].max() < 5:
        fig.update_xaxes(dtick=1)  # whole lines only
    rp.style_figure(fig, f"The largest cut: {rp.reason_label(cut['reason']).lower()} "
                    f"({rp.pct(cut['share_of_rows'])} of lines)", "Lines left out", None,
                    max(220, 60 + 34 * len(dropped)), x_unit="count")
    rp.show_figure(fig, "ledger-bars")

# %% [markdown]
# ## Activity over time
# Revenue (bars) and orders (line) per calendar month, both counted from zero; then the month's active customers,
# split into *new* ones (their first order in this log falls in that month) and *returning* ones.

# %%
monthly = r.monthly
fig = go.Figure()
fig.add_bar(x=monthly["month"], y=monthly["revenue"], name="Revenue", marker_color=rp.ACCENT,
            hovertemplate="%{x|%b %Y}: %{y:,.0f} " + cur + "<extra></extra>")
fig.add_scatter(x=monthly["month"], y=monthly["orders"], name="Orders", yaxis="y2", mode="lines+markers",
                line_color=rp.WARNING, hovertemplate="%{x|%b %Y}: %{y:,} orders<extra></extra>")
fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto"})
fig.update_xaxes(tickformat="%b %Y")
rp.style_figure(fig, f"Revenue peaks in {h['peak_month'].strftime('%B %Y')} at "
                f"{rp.money(h['peak_month_revenue'], cur)}", None, f"Revenue per month ({cur})", y_unit="money")
rp.format_axis(fig, "count", "y2", title="Orders per month")
rp.show_figure(fig, "monthly-revenue")

# %%
fig = go.Figure()
fig.add_bar(x=monthly["month"], y=monthly["returning_customers"], name="Returning", marker_color=rp.ACCENT,
            hovertemplate="%{x|%b %Y}: %{y:,} returning<extra></extra>")
fig.add_bar(x=monthly["month"], y=monthly["new_customers"], name="New", marker_color=rp.PALETTE[5],
            hovertemplate="%{x|%b %Y}: %{y:,} new<extra></extra>")
fig.update_layout(barmode="stack")
fig.update_xaxes(tickformat="%b %Y")
rp.style_figure(fig, f"{rp.pct(r.recent_returning_share)} of the customers of the last "
                f"{rp.plural(r.recent_months, 'month')} had bought before", None, "Active customers per month",
                y_unit="count")
rp.show_figure(fig, "new-vs-returning")

# %% [markdown]
# ## When customers shop
# Orders by weekday and hour of the order time: when to send campaign e-mails and staff customer service.

# %%
grid = r.weekday_hour
weekday, hour = r.busiest
if r.has_times:
    hours = grid.columns[(grid.sum(axis=0) > 0).to_numpy()]
    grid = grid.loc[:, hours.min():hours.max()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[f"{h:02d}:00" for h in grid.columns], y=grid.index,
                               colorscale="Blues", colorbar={"title": "Orders", "thickness": 12},
                               hovertemplate="%{y} %{x}: %{z:,} orders<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    rp.style_figure(fig, f"The busiest hour: {weekday} {hour:02d}:00", "Hour of the day", None, 380)
    rp.show_figure(fig, "weekday-hour")
else:
    by_day = grid.sum(axis=1)
    fig = go.Figure(go.Bar(x=by_day.index, y=by_day.to_numpy(), marker_color=rp.ACCENT,
                           hovertemplate="%{x}: %{y:,} orders<extra></extra>"))
    rp.style_figure(fig, f"{by_day.idxmax()} is the busiest day", None, "Orders", 340, y_unit="count")
    rp.show_figure(fig, "weekday-hour", note="The data has dates without a time of day: orders by weekday only.")

# %% [markdown]
# ## Where revenue comes from

# %%
if r.countries is None and r.products is None:
    rp.show_markdown("*This data has neither a Country column nor product codes (StockCode): the country and "
                     "product breakdowns are skipped.*")
elif r.countries is None:
    rp.show_markdown("The products that bring the most revenue (*this data has no Country column: the country "
                     "breakdown is skipped*).")
else:
    rp.show_markdown("The countries" + (" and products" if r.products is not None else "")
                     + " that bring the most revenue.")
if r.countries is not None:
    countries = r.countries
    fig = go.Figure(go.Bar(x=countries["revenue"], y=countries["country"], orientation="h", marker_color=rp.ACCENT,
                           customdata=countries[["customers", "orders", "revenue_share"]].to_numpy(),
                           hovertemplate="%{y}: %{x:,.0f} " + cur + " (%{customdata[2]:.1%}), %{customdata[0]:,} "
                                         "customers, %{customdata[1]:,} orders<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    lead = countries.iloc[0]
    rp.style_figure(fig, f"{lead['country']} brings {rp.pct(lead['revenue_share'])} of revenue", f"Revenue ({cur})",
                    None, max(260, 60 + 32 * len(countries)), x_unit="money")
    rp.show_figure(fig, "top-countries")
    if r.big_spenders_sentence:
        rp.show_markdown(r.big_spenders_sentence)

# %%
if r.products is not None:
    products = r.products
    names = products["description"].where(products["description"] != "nan", products["stock_code"])
    short = [n if len(n) <= 22 else n[:21] + "…" for n in names]
    fig = go.Figure(go.Bar(x=products["revenue"], y=short, orientation="h", marker_color=rp.PALETTE[2],
                           customdata=products[["stock_code", "units", "customers"]].assign(name=names).to_numpy(),
                           hovertemplate="%{customdata[3]} (%{customdata[0]}): %{x:,.0f} " + cur
                                         + ", %{customdata[1]:,} units, %{customdata[2]:,} customers<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    rp.style_figure(fig, f"The top {rp.plural(len(products), 'product')} bring "
                    f"{rp.pct(products['revenue_share'].sum())} of revenue", f"Revenue ({cur})", None,
                    max(260, 60 + 32 * len(products)), x_unit="money")
    rp.show_figure(fig, "top-products")

# %% [markdown]
# ## Order sizes

# %%
rp.show_markdown(("What an order is worth and how many product lines it holds" if r.basket_lines is not None
                  else "What an order is worth (without product codes, the lines per order are not known)")
                 + ", on a logarithmic horizontal axis (each step to the right multiplies the value by ten), so that "
                   "small and very large orders both show.")
fig = rp.binned_histogram(r.order_values, "orders", unit=f" {cur}")
rp.style_figure(fig, f"Half of all orders are worth less than {rp.money(h['median_order_value'], cur)}",
                f"Order value ({cur}, log scale)", "Orders", 360, y_unit="count")
rp.show_figure(fig, "order-values")
if r.large_orders_sentence:
    rp.show_markdown(r.large_orders_sentence)

# %%
if r.basket_lines is not None:
    lines = h["median_lines_per_order"]
    fig = rp.binned_histogram(r.basket_lines, "orders", color=rp.PALETTE[1], unit=" lines", integer=True)
    rp.style_figure(fig, f"A typical order has {rp.plural(lines, 'product line')}", "Product lines per order "
                    "(log scale)", "Orders", 360, y_unit="count")
    rp.show_figure(fig, "basket-lines")

# %% [markdown]
# ## How many new customers come back
# Each row is a *cohort*: the customers whose first order fell in that month (their number in brackets). Each
# column is the share of the cohort that ordered again N months later. Blank cells lie after the end of the data.

# %%
cohorts = r.cohorts[r.cohorts[1].notna()] if 1 in r.cohorts.columns else r.cohorts.iloc[:0]
later = cohorts.drop(columns=["customers", 0])
if later.empty or not repeat.cohorts:
    rp.show_markdown("*The data covers a single month: no cohort can be followed into a later month.*")
else:
    labels = [f"{d.strftime('%b %Y')} ({n:,})" for d, n in zip(cohorts.index, cohorts["customers"], strict=True)]
    fig = go.Figure(go.Heatmap(
        z=later.to_numpy() * 100, x=[str(c) for c in later.columns], y=labels, colorscale="Blues", zmin=0,
        zmax=max(5.0, float(later.max().max()) * 100), colorbar={"title": "%", "thickness": 12},
        texttemplate="%{z:.0f}" if later.shape[1] <= 12 else None, textfont={"size": 10},
        hovertemplate="%{y}, %{x} months later: %{z:.1f}% ordered<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    rp.style_figure(fig, f"{rp.pct(repeat.weighted)} of new customers buy again the month after their first order",
                    "Months after the first order", None, max(320, 90 + 24 * len(labels)))
    rp.show_figure(fig, "cohort-retention", note=r.repeat_note)

# %% [markdown]
# ## Appendix: terms used

# %%
rp.show_glossary(["orders", "order_value", "lines_per_order", "revenue", "active_customers", "new_customers",
                  "returning_customers", "cohort", "next_month_repeat", "reason"], title="Glossary")
