import numpy as np
import plotly.graph_objects as go

from retention import report as rp


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


def test_log_histogram_counts_every_value_once():
    values = np.r_[np.full(10, 5.0), np.full(5, 500.0), 0.0]
    fig = rp.log_histogram(values, n_bins=10)
    bar = fig.data[0]
    assert sum(bar.y) == len(values)  # the zero is counted in the first bin, not dropped
    assert fig.layout.xaxis.type == "log"


def test_style_figure_titles_and_palette():
    fig = rp.style_figure(go.Figure(), "Revenue peaks in November", "Month", "Revenue (GBP)")
    assert fig.layout.title.text == "Revenue peaks in November"
    assert fig.layout.xaxis.title.text == "Month" and fig.layout.yaxis.title.text == "Revenue (GBP)"
    assert list(fig.layout.colorway) == rp.PALETTE
