# %% [markdown]
# # Data and activity
# What is in the transaction log, what the cleaning removed and why, and how the business moves over
# the year: revenue, orders and customers per month, shopping hours, countries, products, baskets and
# how long each month's new customers keep buying.

# %% tags=["parameters"]
params_file = "params/default.yaml"  # the profile to run (papermill: -p params_file params/<profile>.yaml)
output_dir = "reports"  # where this profile's reports and CSV artifacts go

# %%
import plotly.express as px
import plotly.graph_objects as go

from retention import eda, pipeline
from retention import report as rp
from retention.params import load_params

params = load_params(params_file)
prepared = pipeline.load_prepared(output_dir)
tx, ledger, info = prepared.transactions, prepared.ledger, prepared.info
currency = params["data"]["currency"]
has = info["available_columns"]
rp.setup_notebook(info, params_file)

# %%
h = eda.headline(tx)
kept_share = info["rows_kept"] / info["rows_in"]
rp.kpi_cards([
    ("Revenue", rp.money(h["revenue"], currency), f"{rp.day(h['first_date'])} to {rp.day(h['last_date'])}"),
    ("Customers", rp.number(h["customers"]), f"{rp.pct(h['one_time_share'])} bought only once"),
    ("Orders", rp.number(h["orders"]), f"median {rp.money(h['median_order_value'], currency)} per order"),
    ("Lines used", rp.pct(kept_share), f"{rp.number(info['rows_kept'])} of {rp.number(info['rows_in'])} lines"),
])
rp.callout(
    f"The log covers {rp.day(h['first_date'])} to {rp.day(h['last_date'])}: {rp.number(h['customers'])} identified "
    f"customers placed {rp.number(h['orders'])} orders worth {rp.money(h['revenue'], currency)}. "
    f"Cleaning kept {rp.pct(kept_share)} of the {rp.number(info['rows_in'])} lines; the largest cut is "
    f"{ledger.iloc[1:-1].sort_values('rows', ascending=False).iloc[0]['reason'].replace('_', ' ')}. "
    f"{h['peak_month'].strftime('%B %Y')} is the peak month with {rp.pct(h['peak_month_share'])} of revenue, "
    f"and {rp.pct(h['one_time_share'])} of customers have bought only once, so keeping first-time buyers "
    f"is the main retention lever."
)

# %% [markdown]
# ## What the cleaning removed
# Every line of the file is either kept or dropped for exactly one reason, checked in the order below
# (a line is charged to the first rule it breaks). The rows add up: lines read = lines kept + lines
# dropped. Revenue is quantity × unit price of the lines in each row; cancellations are negative.

# %%
notes = info.get("notes", [])
if notes:
    rp.show_markdown("**What the loader detected or assumed about this file:**\n\n" + "\n".join(f"* {n}" for n in notes))
dropped = ledger[~ledger["reason"].isin(["rows_in", "rows_kept"])]
assert int(ledger.iloc[0]["rows"]) == int(ledger.iloc[-1]["rows"]) + int(dropped["rows"].sum())
table = ledger.assign(
    reason=ledger["reason"].str.replace("_", " "),
    rows=ledger["rows"].map(rp.number),
    share_of_rows=ledger["share_of_rows"].map(rp.pct),
    revenue=ledger["revenue"].map(lambda v: rp.money(v, currency, decimals=0)),
).drop(columns="step")
table.columns = ["Reason", "Rule", "Lines", f"Revenue ({currency})", "Share of lines"]
rp.show_static_table(table, numeric=["Lines", f"Revenue ({currency})", "Share of lines"])

fig = go.Figure(go.Bar(
    x=dropped["rows"], y=dropped["reason"].str.replace("_", " "), orientation="h",
    marker_color=rp.PALETTE[3], text=dropped["rows"].map(rp.number), textposition="outside",
    hovertemplate="%{y}: %{x:,} lines<extra></extra>",
))
fig.update_yaxes(autorange="reversed")
top_reason = dropped.sort_values("rows", ascending=False).iloc[0]
rp.style_figure(fig, f"Lines without a customer id are the largest cut ({rp.pct(top_reason['share_of_rows'])})"
                if top_reason["reason"] == "missing_customer_id" else
                f"The largest cut is {top_reason['reason'].replace('_', ' ')}", "Lines dropped (count)", None, 380)
rp.show_figure(fig, "ledger-bars")

# %% [markdown]
# ## Activity over time
# Revenue, orders and active customers per calendar month, and how many of each month's customers were
# buying for the first time. A customer is *new* in the month of their first purchase in this log.

# %%
monthly = eda.monthly_activity(tx)
fig = go.Figure()
fig.add_bar(x=monthly["month"], y=monthly["revenue"], name="Revenue", marker_color=rp.PALETTE[0],
            hovertemplate="%{x|%b %Y}: %{y:,.0f} " + currency + "<extra></extra>")
fig.add_scatter(x=monthly["month"], y=monthly["orders"], name="Orders", yaxis="y2", mode="lines+markers",
                line_color=rp.PALETTE[1], hovertemplate="%{x|%b %Y}: %{y:,} orders<extra></extra>")
fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "title": "Orders per month", "showgrid": False})
fig.update_xaxes(tickformat="%b %Y", dtick="M1")
peak = monthly.loc[monthly["revenue"].idxmax()]
rp.style_figure(fig, f"Revenue peaks in {peak['month'].strftime('%B %Y')} at {rp.money(peak['revenue'], currency)}",
                "Month", f"Revenue per month ({currency})")
rp.show_figure(fig, "monthly-revenue")

fig = go.Figure()
fig.add_bar(x=monthly["month"], y=monthly["returning_customers"], name="Returning customers",
            marker_color=rp.PALETTE[0], hovertemplate="%{x|%b %Y}: %{y:,} returning<extra></extra>")
fig.add_bar(x=monthly["month"], y=monthly["new_customers"], name="New customers", marker_color=rp.PALETTE[2],
            hovertemplate="%{x|%b %Y}: %{y:,} new<extra></extra>")
fig.update_layout(barmode="stack")
fig.update_xaxes(tickformat="%b %Y", dtick="M1")
returning_share = monthly["returning_customers"].iloc[-3:].sum() / monthly["active_customers"].iloc[-3:].sum()
rp.style_figure(fig, f"In the last three months {rp.pct(returning_share)} of active customers were returning ones",
                "Month", "Active customers per month")
rp.show_figure(fig, "new-vs-returning")

# %% [markdown]
# ## When customers shop
# Orders by weekday and hour of the order time. Use it to time campaign e-mails and service staffing.

# %%
grid = eda.weekday_hour_orders(tx)
if (tx["InvoiceDate"].dt.normalize() == tx["InvoiceDate"]).all():
    by_day = grid.sum(axis=1)
    fig = go.Figure(go.Bar(x=by_day.index, y=by_day.to_numpy(), marker_color=rp.PALETTE[0],
                           hovertemplate="%{x}: %{y:,} orders<extra></extra>"))
    rp.style_figure(fig, f"{by_day.idxmax()} is the busiest weekday (the data has dates without times of day)",
                    "Weekday", "Orders", 340)
    rp.show_figure(fig, "weekday-hour")
else:
    busy_hours = grid.columns[(grid.sum(axis=0) > 0).to_numpy()]
    grid = grid.loc[:, busy_hours.min():busy_hours.max()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=[f"{h:02d}:00" for h in grid.columns], y=grid.index,
                               colorscale="Blues", colorbar={"title": "Orders"},
                               hovertemplate="%{y} %{x}: %{z:,} orders<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    busiest = grid.stack().idxmax()
    rp.style_figure(fig, f"Orders cluster on weekdays around midday; busiest: {busiest[0]} {busiest[1]:02d}:00",
                    "Hour of day (order time)", "Weekday", 380)
    rp.show_figure(fig, "weekday-hour")

# %% [markdown]
# ## Where revenue comes from
# The top countries and products by revenue. Countries with few customers but large orders are
# usually wholesalers.

# %%
if has["Country"]:
    countries = eda.top_countries(tx, params["eda"]["top_n"])
    fig = px.bar(countries, x="revenue", y="country", orientation="h", color_discrete_sequence=[rp.PALETTE[0]],
                 hover_data={"customers": ":,", "orders": ":,", "revenue": ":,.0f"})
    fig.update_yaxes(autorange="reversed")
    lead = countries.iloc[0]
    rp.style_figure(fig, f"{lead['country']} brings {rp.pct(lead['revenue_share'])} of revenue",
                    f"Revenue ({currency})", None, 420)
    rp.show_figure(fig, "top-countries")
else:
    rp.show_markdown("*This data has no Country column: the country breakdown is skipped.*")

# %%
if has["StockCode"]:
    products = eda.top_products(tx, params["eda"]["top_n"])
    products["label"] = products["description"].fillna(products["stock_code"]).str.slice(0, 38)
    fig = px.bar(products, x="revenue", y="label", orientation="h", color_discrete_sequence=[rp.PALETTE[2]],
                 hover_data={"stock_code": True, "units": ":,", "customers": ":,", "label": False})
    fig.update_yaxes(autorange="reversed")
    top_share = products["revenue_share"].sum()
    rp.style_figure(fig, f"The top {len(products)} products bring {rp.pct(top_share)} of revenue",
                    f"Revenue ({currency})", None, 440)
    rp.show_figure(fig, "top-products")
else:
    rp.show_markdown("*This data has no StockCode column: the product breakdown is skipped.*")

# %% [markdown]
# ## Baskets and order values
# How many lines an order has and what it is worth. Both are skewed: a few large (wholesale) orders sit
# far to the right, so the axes are logarithmic.

# %%
orders = eda.orders(tx)
fig = rp.log_histogram(orders["value"], unit=f" {currency}")
rp.style_figure(fig, f"Half of all orders are worth less than {rp.money(orders['value'].median(), currency)}",
                f"Order value ({currency}, log scale)", "Orders", 360)
rp.show_figure(fig, "order-values")

if has["StockCode"]:
    fig = rp.log_histogram(orders["lines"], n_bins=25, color=rp.PALETTE[1], unit=" lines")
    rp.style_figure(fig, f"A typical order has {orders['lines'].median():.0f} product lines",
                    "Product lines per order (log scale)", "Orders", 360)
    rp.show_figure(fig, "basket-lines")

# %% [markdown]
# ## How long new customers keep buying
# Each row is the group of customers whose first purchase fell in that month (a cohort); each column is
# the share of the cohort that bought again N months later. Blank cells lie after the end of the data.

# %%
cohorts = eda.cohort_retention(tx)
matrix = cohorts.drop(columns="customers")
labels = [f"{d.strftime('%b %Y')} ({n:,})" for d, n in zip(cohorts.index, cohorts["customers"], strict=True)]
fig = go.Figure(go.Heatmap(
    z=matrix.to_numpy() * 100, x=[str(c) for c in matrix.columns], y=labels, colorscale="Blues", zmin=0, zmax=60,
    colorbar={"title": "% active"}, texttemplate="%{z:.0f}", hovertemplate="%{y}, month %{x}: %{z:.1f}% active<extra></extra>",
))
fig.update_yaxes(autorange="reversed")
month1 = matrix[1].dropna().mean() if 1 in matrix.columns else float("nan")
rp.style_figure(fig, f"On average {rp.pct(month1)} of a cohort buys again the month after its first purchase",
                "Months since first purchase", "Cohort (first purchase month, size)", 520)
rp.show_figure(fig, "cohort-retention")
