import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest

from retention import report as rp
from retention.report import components, explorer, figures, labels, site, tables, theme
from retention.report.formatting import format_value, tick_format

FIXTURES = Path(__file__).parent / "fixtures"


# ---- formatting -------------------------------------------------------------------------------------------------

def test_money_is_compact_and_signed():
    assert rp.money(1_860_000) == "£1.86M"
    assert rp.money(93_400, "USD") == "$93.4k"
    assert rp.money(412.5) == "£412.50"
    assert rp.money(-4530, "EUR") == "-€4,530"
    assert rp.money(2097.4, decimals=0) == "£2,097"
    assert rp.money(5, "SEK") == "SEK 5.00"
    assert rp.money(float("nan")) == "n/a"


def test_percent_number_and_day():
    assert rp.pct(0.2534) == "25.3%"
    assert rp.pct(1.0, 0) == "100%"
    assert rp.number(4300) == "4,300"
    assert rp.day("2011-11-30 13:00") == "30 Nov 2011"
    assert rp.pct_points(0.032) == "+3.2 pp"


def test_missing_values_never_read_nan():
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert rp.number(value) == "n/a" and rp.pct(value) == "n/a" and rp.day(value) == "n/a"
        assert format_value(value, "money") == "n/a"


def test_plural_agrees_with_the_count():
    assert rp.plural(1, "order") == "1 order"
    assert rp.plural(1234, "order") == "1,234 orders"
    assert rp.plural(0, "customer") == "0 customers"
    assert rp.plural(2, "person", "people") == "2 people"
    assert rp.plural(1, "order", with_count=False) == "order"


def test_format_value_by_unit():
    assert format_value(20974.912, "money", "USD") == "$20,974.91"
    assert format_value(0.25, "probability") == "25.0%"
    assert format_value(1234, "count") == "1,234"
    assert format_value("2011-02-03", "date") == "3 Feb 2011"
    assert format_value(0.12345, "number") == "0.123"
    assert format_value(7.0, None) == "7"


def test_tick_formats_never_use_si_prefixes_on_money():
    money_ticks = tick_format("money", "USD")
    assert money_ticks["tickprefix"] == "$" and money_ticks["exponentformat"] == "none"
    assert "s" not in money_ticks["tickformat"]  # d3's "s" is the SI-prefix format
    assert tick_format("share")["tickformat"] == ".0%"
    with pytest.raises(ValueError, match="unit"):
        tick_format("furlongs")


# ---- labels ------------------------------------------------------------------------------------------------------

def test_labels_are_human_and_meanings_come_from_the_owner():
    assert rp.label("churn_probability") == "Churn probability"
    assert rp.label("discount_cost_wasted") == "Discount to customers who would have stayed"
    assert rp.label("some_new_column") == "Some new column"
    assert rp.label("OrdersPerMonthRecentVsOverall") == "Order-rate trend"
    from retention.features import FEATURE_DESCRIPTIONS

    # one definition: the features module owns the meaning of Recency; NaN is shown as "empty"
    assert rp.meaning("Recency") == FEATURE_DESCRIPTIONS["Recency"]
    assert "NaN" not in rp.meaning("UniqueProducts") and "empty" in rp.meaning("UniqueProducts")


def test_glossary_and_csv_dictionary():
    table = rp.glossary(["roc_auc", "brier", "CustomerID", "model_version"])
    assert list(table.columns) == ["Term", "Meaning"]
    assert table["Term"].tolist() == ["ROC-AUC", "Brier score", "Customer ID"]  # the model version needs no meaning
    doc = rp.csv_dictionary(["CustomerID", "p_churn", "mystery"])
    assert doc["Column"].tolist() == ["CustomerID", "p_churn", "mystery"]
    assert doc["Label"].tolist() == ["Customer ID", "Churn probability", "Mystery"]
    renamed = rp.human_columns(pd.DataFrame(columns=["clv", "Segment"]), {"Segment": "RFM segment"})
    assert list(renamed.columns) == ["Customer lifetime value", "RFM segment"]


# ---- theme -------------------------------------------------------------------------------------------------------

def test_trend_colour_says_whether_the_change_is_good():
    worse = rp.trend(1876, 1758, higher_is_better=False)
    assert (worse.arrow, worse.good, worse.color) == ("▲", False, rp.LOSS)
    better = rp.trend(0.645, 0.54, higher_is_better=True)
    assert (better.arrow, better.good, better.color) == ("▲", True, rp.GAIN)
    assert rp.trend(5, 9, higher_is_better=False).color == rp.GAIN
    assert rp.trend(5, None) is None and rp.trend(5, float("nan")) is None
    assert rp.trend(5, 5).arrow == "="
    assert rp.gain_loss_colors([3, 0, -2]) == [rp.GAIN, rp.GAIN, rp.LOSS]
    assert theme.TRAFFIC_LIGHT["red"] == rp.LOSS and rp.PALETTE_NAME == "Okabe-Ito"


# ---- figures -----------------------------------------------------------------------------------------------------

def test_style_figure_titles_and_palette():
    fig = rp.style_figure(go.Figure(), "Revenue peaks in November", "Month", "Revenue (GBP)")
    assert fig.layout.title.text == "Revenue peaks in November"
    assert fig.layout.xaxis.title.text == "Month" and fig.layout.yaxis.title.text == "Revenue (GBP)"
    assert list(fig.layout.colorway) == rp.PALETTE


def test_style_figure_starts_value_axes_at_zero_on_both_sides_of_a_dual_axis_chart():
    fig = go.Figure([go.Bar(x=[1, 2], y=[529, 600]), go.Scatter(x=[1, 2], y=[300, 350], yaxis="y2")])
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right"})
    rp.style_figure(fig, "Orders and customers", y_unit="count")
    assert fig.layout.yaxis.rangemode == "tozero" and fig.layout.yaxis2.rangemode == "tozero"
    horizontal = rp.style_figure(go.Figure(go.Bar(x=[5, 7], y=["a", "b"], orientation="h")), "t")
    assert horizontal.layout.xaxis.rangemode == "tozero" and horizontal.layout.yaxis.rangemode is None
    stated = rp.style_figure(px.line(x=[2, 3, 4], y=[0.24, 0.3, 0.28]), "Zoomed", zero_based=False)
    assert stated.layout.yaxis.rangemode is None
    heat = rp.style_figure(go.Figure(go.Heatmap(z=[[1, 2]], x=[0.05, 0.1])), "Heat map")
    assert heat.layout.xaxis.rangemode is None and heat.layout.yaxis.rangemode is None


def test_bar_labels_outside_the_bars_are_not_cut_at_the_plot_area():
    fig = rp.style_figure(go.Figure([go.Bar(x=[58162], y=["a"], orientation="h", text=["58,162"],
                                            textposition="outside"), go.Bar(x=[1], y=["b"])]), "t")
    assert fig.data[0].cliponaxis is False and fig.data[1].cliponaxis is None


def test_money_axis_has_the_currency_and_no_si_prefix():
    fig = rp.style_figure(go.Figure(go.Bar(x=["a"], y=[2e6])), "CLV", y_unit="money", currency="USD")
    assert fig.layout.yaxis.tickprefix == "$" and fig.layout.yaxis.exponentformat == "none"
    rp.share_axis(fig, "x")
    assert fig.layout.xaxis.tickformat == ".0%"
    rp.count_axis(fig, "y2", title="Orders")
    assert fig.layout.yaxis2.title.text == "Orders"


def test_long_axis_titles_wrap():
    fig = rp.style_figure(go.Figure(), "t", "Coefficient on the standardised feature (positive = more churn)")
    assert "<br>" in fig.layout.xaxis.title.text
    assert figures.wrap_title("Short") == "Short"


def test_figure_title_goes_above_the_chart_unless_a_slider_rewrites_it():
    fig = rp.style_figure(go.Figure(go.Bar(x=["a"], y=[1])), "A finding <in words>")
    markup = figures.figure_html(fig, "my-chart", note="Sample of 5 customers.")
    assert '<figcaption class="chart-title">A finding &lt;in words&gt;</figcaption>' in markup
    assert 'id="my-chart"' in markup and '"title":{"text":"A finding' not in markup
    assert '<p class="chart-note">Sample of 5 customers.</p>' in markup
    assert fig.layout.title.text == "A finding <in words>"  # the caller's figure is left as it was
    fig.update_layout(sliders=[{"steps": [{"label": "a", "method": "restyle", "args": []}]}])
    assert "figcaption" not in figures.figure_html(fig, "slider-chart")


def test_sample_points_is_seeded_and_stated():
    frame = pd.DataFrame({"x": range(100)})
    sample, note = rp.sample_points(frame, 10, seed=1)
    again, _ = rp.sample_points(frame, 10, seed=1)
    assert len(sample) == 10 and sample.equals(again) and sample["x"].is_monotonic_increasing
    assert note == "Showing a random sample of 10 of 100 customers (seed 1)."
    assert rp.sample_points(frame, 500)[1] == ""


def test_log_histogram_counts_every_value_once():
    values = np.r_[np.full(10, 5.0), np.full(5, 500.0), 0.0]
    fig = rp.log_histogram(values, n_bins=10)
    bar = fig.data[0]
    assert sum(bar.y) == len(values)  # the zero is counted in the first bin, not dropped
    assert fig.layout.xaxis.type == "log"


def test_log_histogram_floors_specks_instead_of_stretching_the_axis():
    values = np.r_[1e-12, np.linspace(10, 1000, 99)]
    bar = rp.log_histogram(values, n_bins=10).data[0]
    assert sum(bar.y) == 100 and bar.y[0] >= 1  # the speck is counted, in the first bin
    assert bar.x[0] > 1e-3  # ...which does not start ten decades down
    assert bar.customdata[0][0] == pytest.approx(1e-12)  # its hover label starts at the smallest value


def test_binned_histogram_draws_bins_counted_elsewhere():
    bins = pd.DataFrame({"left": [1.0, 10.0, 100.0], "right": [10.0, 100.0, 1000.0], "orders": [5, 3, 1]})
    bar = rp.binned_histogram(bins, "orders", unit=" GBP").data[0]
    assert list(bar.y) == [5, 3, 1] and list(bar.width) == [9.0, 90.0, 900.0]
    assert bar.x[1] == pytest.approx(np.sqrt(10 * 100)) and bar.customdata[2][1] == 1000.0
    assert "GBP" in bar.hovertemplate
    whole = pd.DataFrame({"left": [1.0, 2.0, 12.0], "right": [2.0, 12.0, 14.0], "orders": [4, 3, 1]})
    bar = rp.binned_histogram(whole, "orders", integer=True, unit=" lines").data[0]
    assert list(bar.customdata) == ["1", "2 to 11", "12 to 13"] and list(bar.width) == [1.0, 10.0, 2.0]


def test_every_ledger_reason_has_a_short_name():
    from retention.engine.cleaning import LEDGER_REASONS

    for reason, _ in LEDGER_REASONS:
        assert reason in rp.LEDGER_LABELS and len(rp.reason_label(reason)) <= 30, reason
    assert rp.reason_label("something_new") == "Something new"


# ---- tables ------------------------------------------------------------------------------------------------------

def test_length_menu_always_holds_the_page_length():
    assert tables.length_menu(15) == [10, 15, 25, 50, 100]
    assert tables.length_menu(10) == [10, 25, 50, 100]


def test_interactive_table_formats_by_unit_caps_rows_and_hides_nan():
    frame = pd.DataFrame({"CustomerID": [17850, 13047, 12583], "Monetary": [20974.91, np.nan, 5.0],
                          "churn_probability": [0.2, 0.5, 0.9], "Country": ["UK", None, "France"]})
    markup = tables.table_html(frame, "t1", page_length=15, max_rows=2, csv_href="artifacts/x.csv", currency="USD")
    assert '"lengthMenu": [10, 15, 25, 50, 100]' in markup
    assert "Net spend" in markup and "Churn probability" in markup  # human labels
    assert markup.count("function (data, type)") == 2  # money and probability formatted; the id is not
    assert '\\"$\\"' in markup or '"$"' in markup
    assert "Showing the first 2 of 3 rows." in markup and 'href="artifacts/x.csv"' in markup
    assert "NaN" not in re.sub(r"isNaN|___NaN___", "", markup)
    assert 'class="retention-table key-first"' in markup


def test_static_table_fits_formats_and_states_its_cap():
    frame = pd.DataFrame({"Segment": ["Champions", "Lost", "New"], "Customers": ["897", "525", "94"],
                          "Median spend": [2097.4, np.nan, 182.0],
                          "What to do": ["Reward them. They can become early adopters for new products."] * 3})
    markup = tables.static_table_html(frame, max_rows=2, csv_href="artifacts/segments.csv", noun="segment",
                                      units={"Median spend": "money"})
    assert markup.startswith('<div class="scroll-x table-wrap"><table class="static-table key-first">')
    assert '<td class="num">897</td>' in markup  # formatted numbers are found and right-aligned
    assert "£2,097.40" in markup and "—" in markup and "NaN" not in markup
    assert '<th class="long">What to do</th>' in markup  # long text gets room to wrap
    assert "Showing the first 2 of 3 segments." in markup


def test_settings_from_params_give_the_currency_and_caps_to_every_table():
    params = {"data": {"currency": "USD"}, "report": {"max_table_rows": 2, "customer_id_salt": None}}
    assert rp.settings_from_params(params) == rp.ReportSettings("USD", 2, 5000, 42)
    previous = rp.use_settings(rp.settings_from_params(params))
    try:
        frame = pd.DataFrame({"Monetary": [1.0, 2.0, 3.0]})
        markup = tables.table_html(frame, "t")
        assert '"$"' in markup.replace('\\"', '"') and "Showing the first 2 of 3 rows." in markup
        assert "$1.00" in tables.static_table_html(frame) and "\\u00a3" in tables.table_html(frame, "t", currency="GBP")
        fig = rp.style_figure(go.Figure(go.Bar(x=["a"], y=[1])), "t", y_unit="money")
        assert fig.layout.yaxis.tickprefix == "$"
    finally:
        rp.use_settings(previous)
    assert rp.current_settings() == previous


# ---- the customer explorer ---------------------------------------------------------------------------------------

def _customers(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "Segment": rng.choice(["Champions", "At Risk", "Lost"], n), "churn_probability": rng.random(n),
        "clv": rng.gamma(2, 300, n), "value_at_stake": rng.gamma(2, 100, n), "expected_loss": rng.gamma(2, 50, n),
        "top_reasons": ["recency"] * n, "recommended_action": rng.choice(["Protect", None], n),
    }, index=pd.Index([f"C{i:03d}" for i in range(n)], name="CustomerID"))


def test_explorer_has_range_filters_export_and_machine_names_in_the_export():
    markup = explorer.customer_explorer_html(_customers(), "explorer", currency="EUR", csv_href="artifacts/c.csv")
    assert markup.count('class="range"') == 4  # churn probability, CLV, value at stake, expected loss
    assert 'data-scale="100"' in markup and "(€)" in markup
    assert "csvHtml5" in markup and "Download the filtered rows (CSV)" in markup
    assert json.dumps(list(explorer.DEFAULT_EXPLORER_COLUMNS)).replace('"', '\\"') in markup
    assert "Customer ID" in markup and "Recommended action" in markup
    assert "The same list as a file" in markup
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"?https?:", markup)  # nothing fetched: offline


def test_explorer_caps_rows_with_a_seeded_sample_or_the_top_rows():
    customers = _customers(50)
    sample, note = explorer.explorer_sample(customers, 10, seed=3)
    assert len(sample) == 10 and sample.equals(explorer.explorer_sample(customers, 10, seed=3)[0])
    assert note == "Showing a random sample of 10 of 50 customers (seed 3)."
    top, note = explorer.explorer_sample(customers, 5, order_by="expected_loss")
    assert top["expected_loss"].tolist() == sorted(customers["expected_loss"], reverse=True)[:5]
    assert note == "Showing the 5 customers with the highest expected loss, of 50."
    markup = explorer.customer_explorer_html(customers, "x", max_rows=10, csv_href="artifacts/all.csv")
    assert "random sample of 10 of 50 customers" in markup and "The full list" in markup


def test_explorer_names_a_missing_column():
    with pytest.raises(KeyError, match="no column \\['p_alive'\\]"):
        explorer.customer_explorer_html(_customers(), "x", ["CustomerID", "p_alive"])
    custom = explorer.customer_explorer_html(
        _customers(), "x", ["CustomerID", rp.ExplorerColumn("clv", label="Value", range_filter=False)])
    assert 'class="range"' not in custom and "Value" in custom


# ---- components and the index ------------------------------------------------------------------------------------

def test_kpi_cards_from_json_colour_the_arrow_by_direction():
    kpis = json.loads((FIXTURES / "kpis.json").read_text())
    cards = rp.kpi_cards_from_json(kpis, ["base", "at_risk", "expected_loss", "retention_rate"])
    assert [c.value for c in cards] == ["2,614", "1,876", "£861.0k", "64.5%"]
    assert [c.trend.color for c in cards] == [rp.GAIN, rp.LOSS, rp.GAIN, rp.GAIN]
    assert cards[1].change == "from 1,758 on 1 Sep 2011"
    markup = rp.kpi_cards_html(cards)
    assert 'data-count="4"' in markup and markup.count('class="kpi"') == 4
    assert rp.kpi_cards_html([("Customers", "4,300", "as of today")]).count('class="kpi"') == 1


def test_decision_card_shows_action_list_profit_risk_light_and_test():
    decision = json.loads((FIXTURES / "decision.json").read_text())
    markup = rp.decision_card_html(decision, href_prefix="../")
    assert 'href="../artifacts/campaign_targets.csv"' in markup and "Download the list (CSV)" in markup
    assert "£3,285" in markup and 'class="fact gain"' in markup
    assert "8.0%" in markup and "light-amber" in markup and "clears it narrowly" in markup
    assert "the analysis alone would pick Protect" in markup
    assert "Hold out half of the list" in markup and "Customers held out" in markup
    assert "Alternatives considered" in markup and "-£4,530" in markup
    none = rp.decision_card_html({"action": "none", "headline": "No campaign pays.", "why": ["All lose."],
                                  "test": None})
    assert "decision-none" in none and "Download" not in none and "define an offer" in none


def test_callout_tones():
    assert 'class="callout callout-bad"' in rp.callout_html("Loses money", tone="bad")
    with pytest.raises(ValueError):
        rp.callout_html("x", tone="loud")


def test_index_shows_the_decision_card_four_kpi_cards_and_a_readable_manifest(tmp_path):
    (tmp_path / "artifacts").mkdir()
    for name in ("decision.json", "kpis.json"):
        (tmp_path / "artifacts" / name).write_text((FIXTURES / name).read_text())
    pd.DataFrame({"CustomerID": [1, 2], "p_churn": [0.1, 0.2]}).to_csv(tmp_path / "artifacts" / "t.csv", index=False)
    manifest = {"params_file": "params/default.yaml", "rows_in": 233572, "packages": {"pandas": "3.1.1"},
                "data_path": None}
    page = site.write_index(tmp_path, manifest).read_text()
    assert page.index("decision-card") < page.index('class="kpis"')
    assert 'data-count="4"' in page and "customers at risk" in page
    assert "<th>Lines read</th><td>233,572</td>" in page and "pandas <b>3.1.1</b>" in page
    assert "{" not in page.split("Run manifest")[1]  # no raw JSON
    assert "<code>p_churn</code></td><td>Churn probability</td>" in page
    assert "None" not in page.split("<main>")[1]


def test_index_shows_the_summary_narrative_and_says_when_the_decision_is_missing(tmp_path):
    (tmp_path / "work").mkdir()
    page = site.write_index(tmp_path, {"params_file": "p.yaml"}).read_text()
    assert "once the campaigns step" in page and 'class="decision-card' not in page
    (tmp_path / "artifacts").mkdir()
    for name in ("decision.json", "kpis.json"):
        (tmp_path / "artifacts" / name).write_text((FIXTURES / name).read_text())
    (tmp_path / "work" / "executive_summary.json").write_text(json.dumps({"narrative": "It went well."}))
    page = site.write_index(tmp_path, {"params_file": "p.yaml"}).read_text()
    colours = re.findall(r'class="arrow" style="color:(#[0-9A-F]+)"', page)
    assert colours == [rp.GAIN, rp.GAIN, rp.GAIN, rp.GAIN]  # base up, at-risk share down, loss down, rate up
    assert page.count("(better)") == 4 and "It went well." in page and "once the campaigns step" not in page


def test_series_navigation_is_the_same_on_the_index_and_in_the_reports_template():
    from retention import catalog

    assert [stem for stem, _, _ in site.SERIES] == [stem for stem, _ in site.NAV] == list(catalog.NOTEBOOK_STEPS)
    template = (Path(site.__file__).parents[1] / "templates" / "retention" / "index.html.j2").read_text()
    links = re.findall(r'<a href="(\d\d_[a-z_]+)\.html">(\d) ([^<]+)</a>', template)
    assert [(stem, name) for stem, _, name in links] == site.NAV
    assert [int(i) for _, i, _ in links] == list(range(1, len(site.NAV) + 1))


def test_components_module_exports_are_importable():
    for module in (components, explorer, figures, labels, site, tables, theme):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    for name in rp.__all__:
        assert hasattr(rp, name)


def test_key_results_read_the_decision_and_the_kpis_from_their_products(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "work" / "prepared.json").write_text(json.dumps(
        {"rows_in": 10, "rows_kept": 8, "customers": 3, "first_date": "2011-01-01", "end_date": "2011-11-30",
         "notes": ["a note"]}))
    for name, doc in (("churn_summary", {"threshold": 0.4}), ("value_summary", {"clv_total": 5.0, "note": "words"}),
                      ("experiment_summary", {"present": False, "note": "No campaign test to read."})):
        (tmp_path / "artifacts" / f"{name}.json").write_text(json.dumps(doc))
    for name in ("decision.json", "kpis.json"):
        (tmp_path / "artifacts" / name).write_text((FIXTURES / name).read_text())
    results = site.key_results(tmp_path)
    assert results["data"]["customers"] == 3 and results["value"] == {"clv_total": 5.0}
    assert results["experiment"] == {"present": False}
    assert results["decision"]["campaign"] == "High-value at risk" and results["decision"]["pinned"] is True
    assert results["decision"]["options"]["Protect"]["expected_net_profit"] == 3285.4
    assert results["kpis"]["at_risk_share"] == {"current": 0.42, "previous": 0.45, "change": None}
    (tmp_path / "artifacts" / "kpis.json").unlink()
    with pytest.raises(FileNotFoundError, match="kpis.json is missing"):
        site.key_results(tmp_path)
