"""Chart builders: the right trace types, values, evidence keys and the offline map config."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import aggregate as ag
from analysis import charts

T0 = "a ceasefire in Ukraine"


@pytest.fixture
def long(result):
    return ag.stance_frame(result.rows, result.targets)


def test_stance_bars_show_net_interval_and_n(long):
    agg = ag.stance_by_actor(long[long["target"] == T0])
    fig = charts.stance_bars(agg, "speaker", title="By actor")
    bar = fig.data[0]
    assert bar.type == "bar" and bar.orientation == "h"
    labels = dict(zip(bar.y, bar.x, strict=True))
    assert labels["Donald Trump (n=1)"] == pytest.approx(0.7)  # his one statement on the target
    assert "take a side" in bar.hovertemplate and [c[4] for c in bar.customdata if c[0] == "Donald Trump"] == [3]
    assert len(bar.error_x.array) == len(agg) and all(v >= 0 for v in bar.error_x.array)
    assert {c[0] for c in bar.customdata} == set(agg["speaker"])  # keys lead back to evidence
    assert fig.layout.xaxis.range == (-1.15, 1.15)


def test_stance_colours_diverge():
    assert charts._stance_colour(-1) == "#c0392b" and charts._stance_colour(1) == "#2166ac"
    # Balanced is a mid grey, never the white that means "no data" on the map and the heatmap.
    assert charts._stance_colour(0) == "#b3b3b3" != charts.NO_DATA_COLOUR


def test_choropleth_uses_iso3_and_fixed_scale(long):
    agg = ag.stance_by_country(long[long["target"] == T0])
    fig = charts.stance_map(agg, title="By country")
    tr = fig.data[0]
    assert tr.type == "choropleth" and tr.locationmode == "ISO-3"
    assert set(tr.locations) == {"USA", "ITA", "UKR", "RUS"}
    assert (tr.zmin, tr.zmax) == (-1, 1)


def test_map_outline_is_served_by_the_app():
    assert charts.PLOTLY_CONFIG["topojsonURL"] == "app/static/"
    from pathlib import Path
    static = Path(__file__).resolve().parents[1] / "static" / "world_110m.json"
    assert static.exists() and static.stat().st_size > 50_000


def test_heatmap_cells_carry_actor_and_target(long):
    fig = charts.stance_heatmap(ag.actor_target_matrix(long))
    hm = fig.data[0]
    assert hm.type == "heatmap" and list(hm.x) == ["a ceasefire in Ukraine", "sanctions on Russia"]
    keys = {cell[0] for row in hm.customdata for cell in row}
    assert "Kremlin|a ceasefire in Ukraine" in keys


def test_sentiment_network_trend_outlets(result, long):
    sent = charts.sentiment_bars(ag.sentiment_by_actor(ag.statements_frame(result.rows)))
    assert [t.name for t in sent.data] == ["negative", "neutral", "positive"]
    net = charts.network(ag.mention_network(result.rows))
    names = [t.name for t in net.data if t.name]
    assert "negative mention" in names and any("Vladimir Putin" in (t.text or ()) for t in net.data)
    assert len(net.layout.annotations) == 2  # one arrow per edge
    tr = charts.trend(ag.stance_trend(long))
    assert len(tr.data) == 2
    out = charts.outlets(ag.stance_by_outlet(long))
    assert {x for t in out.data for x in t.x} == {"Reuters", "ANSA"}


@pytest.mark.parametrize("builder", [
    lambda e: charts.stance_bars(e, "speaker", title="t"), charts.stance_heatmap, charts.sentiment_bars,
    charts.network, charts.trend, charts.outlets,
])
def test_empty_aggregates_give_a_message_not_an_error(builder):
    import pandas as pd
    fig = builder(pd.DataFrame(columns=["speaker", "target", "n", "net", "lo", "hi", "statement_ids"]))
    assert fig.layout.annotations and "No" in fig.layout.annotations[0].text or "no" in fig.layout.annotations[0].text


def test_network_keeps_the_most_frequent_edges():
    import pandas as pd
    edges = pd.DataFrame({"source": [f"s{i}" for i in range(50)], "target": ["t"] * 50, "n": range(1, 51),
                          "net": [0.0] * 50, "label": ["neutral"] * 50, "statement_ids": [["x"]] * 50})
    fig = charts.network(edges, max_edges=10)
    nodes = next(t for t in fig.data if t.mode == "markers+text")
    assert len(nodes.text) == 11 and "s49" in nodes.text and "s0" not in nodes.text
    assert "10 most frequent of 50" in fig.layout.title.text


def test_trend_over_a_year_leaves_ticks_to_plotly_a_week_gets_one_per_day():
    def agg(dates: list[str]) -> pd.DataFrame:
        return pd.DataFrame({"target": "peace", "date": pd.to_datetime(dates), "net": 0.1, "lo": -0.2, "hi": 0.4,
                             "n": 3, "statement_ids": [["s"]] * len(dates)})
    year = charts.trend(agg([f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 15)]))
    assert year.layout.xaxis.dtick is None      # a tick a day would be 365 labels
    week = charts.trend(agg(["2025-08-20", "2025-08-22", "2025-08-26"]))
    assert week.layout.xaxis.dtick == 86400000.0  # no hour ticks between three dates


def test_heatmap_keeps_the_users_target_order_and_sorts_actors_without_case():
    agg = pd.DataFrame({"speaker": ["Zelensky", "de Mistura", "Dean", "Zelensky"],
                        "target": ["sanctions", "sanctions", "a ceasefire", "a ceasefire"],
                        "net": [0.5, -0.5, 0.2, 0.1], "n": [2, 3, 4, 5]})
    hm = charts.stance_heatmap(agg, targets=["sanctions", "a ceasefire"]).data[0]
    assert list(hm.x) == ["sanctions", "a ceasefire"]
    assert list(hm.y) == ["de Mistura", "Dean", "Zelensky"]


HOSTILE = '<a href="https://evil.example">Click</a><b>x</b> & <span style="font-size:99px">y</span>'


def test_user_text_in_charts_is_drawn_literally_never_as_markup():
    actor = pd.DataFrame({"speaker": [HOSTILE], "target": [HOSTILE], "net": [0.5], "n": [3],
                          "lo": [0.1], "hi": [0.9]})
    edges = pd.DataFrame({"source": [HOSTILE], "target": ["Trump"], "label": ["negative"], "n": [2], "net": [-0.5]})
    outlet = pd.DataFrame({"source": [HOSTILE], "target": [HOSTILE], "net": [0.1], "n": [2], "lo": [0.0], "hi": [0.2]})
    figs = [charts.stance_bars(actor, "speaker", title=f"By actor — {HOSTILE}"),
            charts.stance_heatmap(actor), charts.network(edges), charts.outlets(outlet)]
    # Everything drawn or hovered; customdata[0] (the raw click key) is never shown by a template.
    shown = " ".join(str({**f.to_plotly_json(), "data": [{k: v for k, v in t.items() if k != "customdata"}
                                                         for t in f.to_plotly_json()["data"]]}) for f in figs)
    assert all("customdata[0]" not in str(t.get("hovertemplate")) for f in figs for t in f.to_plotly_json()["data"])
    assert "<a " not in shown and "<b>x" not in shown and "<span" not in shown
    assert "&lt;a href" in shown
    # The click keys stay raw, so a click still finds the actor's statements.
    assert figs[0].data[0].customdata[0][0] == HOSTILE
