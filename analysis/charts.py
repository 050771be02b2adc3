"""Plotly figure builders: an aggregate DataFrame in (see :mod:`analysis.aggregate`), a Figure out.

UI-free and testable. Every trace carries ``customdata`` whose first element is the group key
(speaker, ISO-3 country, "speaker|target" cell, date, outlet), so the page can map a click back
to the aggregate row and list its evidence statements.

Colours: stance uses a red (against) - grey - blue (favor) diverging scale fixed to [-1, 1], so
the same colour means the same stance on every chart; sentiment uses red / grey / green.

The choropleth needs plotly's world outline (``world_110m.json``). The app serves it from its own
``static/`` folder and passes ``config={"topojsonURL": TOPOJSON_URL}`` so no chart needs the
internet (:data:`PLOTLY_CONFIG`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .aggregate import KIND_NAMES  # noqa: F401  (re-exported for pages)

# plotly.js appends "<scope>_<resolution>m.json" to topojsonURL. Relative to the page URL:
# Streamlit serves ./static/ at /app/static/ and our pages live one level deep (/dashboard).
TOPOJSON_URL = "app/static/"
PLOTLY_CONFIG: dict[str, Any] = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}
# The middle (balanced) is a mid grey, clearly apart from the white of "no data" on the map and
# the heatmap: a pale grey balance looked the same as a country nobody from spoke.
STANCE_SCALE: list[list[Any]] = [[0.0, "#c0392b"], [0.5, "#b3b3b3"], [1.0, "#2166ac"]]
NO_DATA_COLOUR = "#ffffff"
SENTIMENT_COLOURS: dict[str, str] = {"negative": "#c0392b", "neutral": "#9e9e9e", "positive": "#2e8b57"}
# Legends above the plot, right-aligned: below it they collide with the x-axis title.
TOP_LEGEND: dict[str, Any] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}
# One colour per target, in the user's order, on every multi-target chart (app and exports alike;
# without it a report drew every trend line black).
TARGET_COLOURS: list[str] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
STANCE_COLOURS: dict[str, str] = {"against": "#c0392b", "none": "#bdbdbd", "favor": "#2166ac"}


def inert(text: Any) -> str:
    """User text (names, targets, outlets, titles) as plotly shows it literally.

    plotly.js renders a subset of HTML in every label, hover and title (<b>, <a href>, <span
    style>, <br>): a speaker named "<a href=...>" would become a link. Escaped, the entities are
    drawn as the characters they stand for. Group keys in ``customdata[0]`` stay raw: they map
    a click back to the data and are never shown."""
    return html.escape(str(text), quote=False)


def _inert_all(values: Iterable[Any]) -> list[str]:
    return [inert(v) for v in values]


def _stance_colour(net: float) -> str:
    """Colour of a net stance on the shared red-grey-blue scale."""
    t = (max(-1.0, min(1.0, float(net))) + 1) / 2
    lo, mid, hi = (192, 57, 43), (179, 179, 179), (33, 102, 172)
    a, b, f = (lo, mid, t * 2) if t < 0.5 else (mid, hi, (t - 0.5) * 2)
    return "#" + "".join(f"{round(a[i] + (b[i] - a[i]) * f):02x}" for i in range(3))


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=inert(title), xaxis={"visible": False}, yaxis={"visible": False}, height=260,
                      annotations=[{"text": message, "showarrow": False, "font": {"size": 14}}])
    return fig


def _height(n: int) -> int:
    return max(260, min(1400, 120 + 32 * n))


def stance_bars(agg: pd.DataFrame, key: str, *, title: str, target: str | None = None) -> go.Figure:
    """Diverging horizontal bars of net stance per ``key`` with 95% interval whiskers and n.

    ``agg`` is :func:`~analysis.aggregate.stance_by_actor` / ``stance_by_country`` /
    ``stance_by_outlet`` output, filtered to one target (or ``target`` given to filter here).
    """
    d = agg if target is None else agg[agg["target"] == target]
    if d.empty:
        return _empty(title, "No statements match the filters.")
    labels = d["country_name"] if key == "speaker_country" and "country_name" in d else d[key]
    # n goes into the axis label: text beside the bar would collide with the interval whiskers.
    fig = go.Figure(go.Bar(
        x=d["net"], y=[f"{inert(v)} (n={n})" for v, n in zip(labels, d["n"], strict=True)], orientation="h",
        marker_color=[_stance_colour(v) for v in d["net"]],
        error_x={"type": "data", "symmetric": False, "array": (d["hi"] - d["net"]).tolist(),
                 "arrayminus": (d["net"] - d["lo"]).tolist(), "color": "#555", "thickness": 1.2},
        customdata=[[str(k), int(n), lo, hi, int(n_all)] for k, n, lo, hi, n_all in
                    zip(d[key], d["n"], d["lo"], d["hi"], d["n_all"] if "n_all" in d else d["n"], strict=True)],
        hovertemplate="<b>%{y}</b><br>net stance %{x:+.2f}<br>95% interval %{customdata[2]:+.2f} to "
                      "%{customdata[3]:+.2f}<br>%{customdata[1]} of %{customdata[4]} statements take a side "
                      "on the target<extra></extra>",
    ))
    fig.update_layout(title=inert(title), height=_height(len(d)), margin={"l": 10, "r": 40, "t": 50, "b": 40},
                      xaxis={"range": [-1.15, 1.15], "zeroline": True, "zerolinecolor": "#333",
                             "title": "net stance of side-taking statements, 95% interval"},
                      yaxis={"automargin": True}, showlegend=False, clickmode="event+select")
    return fig


def stance_map(agg: pd.DataFrame, *, title: str, target: str | None = None) -> go.Figure:
    """Choropleth of net stance by speaker country (ISO-3), fixed [-1, 1] diverging scale."""
    d = agg if target is None else agg[agg["target"] == target]
    fig = go.Figure(go.Choropleth(
        locations=d["speaker_country"].tolist(), locationmode="ISO-3", z=d["net"].tolist(),
        zmin=-1, zmax=1, colorscale=STANCE_SCALE, marker_line_color="#666", marker_line_width=0.5,
        colorbar={"title": "net stance", "tickvals": [-1, 0, 1], "ticktext": ["against", "0", "favor"]},
        customdata=[[str(k), int(n), lo, hi, inert(name), int(n_all)] for k, n, lo, hi, name, n_all in
                    zip(d["speaker_country"], d["n"], d["lo"], d["hi"], d["country_name"],
                        d["n_all"] if "n_all" in d else d["n"], strict=True)],
        hovertemplate="<b>%{customdata[4]}</b><br>net stance %{z:+.2f}<br>95% interval "
                      "%{customdata[2]:+.2f} to %{customdata[3]:+.2f}<br>%{customdata[1]} of %{customdata[5]} "
                      "statements take a side<extra></extra>",
    ))
    fig.add_annotation(text="white: no statement from there takes a side (no data); grey: balanced",
                       showarrow=False, x=0, y=0, xref="paper", yref="paper", xanchor="left",
                       yanchor="bottom", font={"size": 11, "color": "#555"})
    fig.update_layout(title=inert(title), height=420, margin={"l": 0, "r": 0, "t": 50, "b": 0},
                      geo={"showframe": False, "showcoastlines": True, "projection_type": "natural earth",
                           "showcountries": True, "countrycolor": "#bbb", "landcolor": NO_DATA_COLOUR,
                           "showland": True, "fitbounds": False, "lataxis_range": [-58, 85]},
                      clickmode="event+select")
    return fig


def stance_heatmap(agg: pd.DataFrame, *, title: str = "Net stance: actor × target",
                   targets: Sequence[str] | None = None) -> go.Figure:
    """Actor x target heatmap of net stance; cell text gives net and n; empty cells are blank.

    Targets keep the user's order (``targets``, else their order in ``agg``); actors are sorted
    alphabetically without regard to case ("de Gaulle" beside "Dean", not after "Zelensky").
    """
    if agg.empty:
        return _empty(title, "No statements match the filters.")
    actors = sorted(dict.fromkeys(agg["speaker"]), key=lambda a: (str(a).casefold(), str(a)))
    present = set(agg["target"])
    targets = [t for t in dict.fromkeys([*(targets or []), *agg["target"]]) if t in present]
    cell = {(r.speaker, r.target): r for r in agg.itertuples(index=False)}
    z, text, custom = [], [], []
    for a in actors:
        zr, tr, cr = [], [], []
        for t in targets:
            r = cell.get((a, t))
            zr.append(None if r is None else float(r.net))
            tr.append("" if r is None else f"{r.net:+.2f}<br>n={r.n}")
            cr.append([f"{a}|{t}", 0 if r is None else int(r.n)])
        z.append(zr)
        text.append(tr)
        custom.append(cr)
    fig = go.Figure(go.Heatmap(
        z=z, x=_inert_all(targets), y=_inert_all(actors), zmin=-1, zmax=1, colorscale=STANCE_SCALE, text=text,
        texttemplate="%{text}", customdata=custom, xgap=2, ygap=2,
        colorbar={"title": "net", "tickvals": [-1, 0, 1], "ticktext": ["against", "0", "favor"]},
        hovertemplate="<b>%{y}</b> on <i>%{x}</i><br>net %{z:+.2f}, n=%{customdata[1]}<extra></extra>",
    ))
    fig.update_layout(title=inert(title), height=_height(len(actors)), margin={"l": 10, "r": 10, "t": 50, "b": 40},
                      yaxis={"automargin": True, "autorange": "reversed"}, xaxis={"side": "bottom"},
                      plot_bgcolor=NO_DATA_COLOUR)  # an empty cell (no side taken) is white, not grey
    return fig


def sentiment_bars(agg: pd.DataFrame, *, title: str = "Sentiment of each actor's statements") -> go.Figure:
    """Stacked horizontal bars: negative / neutral / positive statement counts per actor."""
    if agg.empty:
        return _empty(title, "No statements match the filters.")
    fig = go.Figure()
    for label in ("negative", "neutral", "positive"):
        fig.add_bar(x=agg[label], y=_inert_all(agg["speaker"]), orientation="h", name=label,
                    marker_color=SENTIMENT_COLOURS[label],
                    customdata=[[s, int(n), v] for s, n, v in zip(agg["speaker"], agg["n"], agg["net"], strict=True)],
                    hovertemplate="<b>%{y}</b><br>" + label + ": %{x} of %{customdata[1]}<br>mean net "
                                  "sentiment %{customdata[2]:+.2f}<extra></extra>")
    fig.update_layout(title=inert(title), barmode="stack", height=_height(len(agg)),
                      margin={"l": 10, "r": 10, "t": 50, "b": 40}, yaxis={"automargin": True},
                      xaxis={"title": "statements"}, legend=TOP_LEGEND)
    return fig


def network(edges: pd.DataFrame, *, title: str = "Who talks about whom", max_edges: int = 15) -> go.Figure:
    """Speaker -> mentioned actor graph on a circle; edge colour = sentiment, width = n.

    A circular layout is deterministic (the same link shows the same picture) and readable for
    the tens of actors a news set has; a force layout would need another dependency. Only the
    ``max_edges`` most frequent edges are drawn (the title says so), or labels pile up.
    """
    if edges.empty:
        return _empty(title, "No speaker mentions another actor in the filtered statements.")
    if len(edges) > max_edges:
        title = f"{title} (the {max_edges} most frequent of {len(edges)} links)"
        edges = edges.sort_values("n", ascending=False, kind="stable").head(max_edges)
    nodes = list(dict.fromkeys(list(edges["source"]) + list(edges["target"])))
    k = len(nodes)
    pos = {n: (math.cos(2 * math.pi * i / k), math.sin(2 * math.pi * i / k)) for i, n in enumerate(nodes)}
    degree = {n: 0 for n in nodes}
    for s, t, n in zip(edges["source"], edges["target"], edges["n"], strict=True):
        degree[s] += int(n)
        degree[t] += int(n)
    fig = go.Figure()
    annotations = []
    for label in ("negative", "neutral", "positive"):
        part = edges[edges["label"] == label]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for r in part.itertuples(index=False):
            (x0, y0), (x1, y1) = pos[r.source], pos[r.target]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            annotations.append({"x": x1 * 0.93 + x0 * 0.07, "y": y1 * 0.93 + y0 * 0.07, "ax": x0, "ay": y0,
                                "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "showarrow": True,
                                "arrowhead": 3, "arrowsize": 1.2, "arrowwidth": min(1 + int(r.n), 6),
                                "arrowcolor": SENTIMENT_COLOURS[label], "opacity": 0.8, "text": ""})
        if xs:
            fig.add_scatter(x=xs, y=ys, mode="lines", name=f"{label} mention", hoverinfo="skip",
                            line={"color": SENTIMENT_COLOURS[label], "width": 2})
    # Invisible midpoint markers make edges hoverable / selectable.
    mid = edges.assign(mx=[(pos[s][0] + pos[t][0]) / 2 for s, t in zip(edges["source"], edges["target"], strict=True)],
                       my=[(pos[s][1] + pos[t][1]) / 2 for s, t in zip(edges["source"], edges["target"], strict=True)])
    fig.add_scatter(x=mid["mx"], y=mid["my"], mode="markers", marker={"size": 12, "opacity": 0.01},
                    showlegend=False,
                    customdata=[[f"{s}|{t}", int(n), v, f"{inert(s)} → {inert(t)}"] for s, t, n, v in
                                zip(mid["source"], mid["target"], mid["n"], mid["net"], strict=True)],
                    hovertemplate="%{customdata[3]}<br>n=%{customdata[1]}, mention sentiment "
                                  "%{customdata[2]:+.2f}<extra></extra>")
    # Labels point away from the circle's centre (left half to the left, right half to the
    # right), so neighbouring names do not print over each other or over the edges.
    fig.add_scatter(x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text",
                    text=_inert_all(nodes), showlegend=False,
                    textposition=["middle right" if pos[n][0] > 0.05 else "middle left" if pos[n][0] < -0.05
                                  else ("top center" if pos[n][1] > 0 else "bottom center") for n in nodes],
                    marker={"size": [10 + 3 * min(degree[n], 10) for n in nodes], "color": "#444"},
                    customdata=[[n, degree[n]] for n in nodes],
                    hovertemplate="<b>%{text}</b><br>%{customdata[1]} mention(s)<extra></extra>")
    fig.update_layout(title=inert(title), height=480, annotations=annotations,
                      xaxis={"visible": False, "range": [-2.0, 2.0]},
                      yaxis={"visible": False, "range": [-1.3, 1.3], "scaleanchor": "x"},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"orientation": "h", "y": -0.02})
    return fig


def trend(agg: pd.DataFrame, *, title: str = "Net stance over time") -> go.Figure:
    """Net stance per publication date and target, with the 95% interval as a band."""
    if agg.empty:
        return _empty(title, "The filtered articles carry no publication dates.")
    fig = go.Figure()
    for t, part in agg.groupby("target", sort=False):
        fig.add_scatter(x=part["date"], y=part["net"], mode="lines+markers", name=inert(t),
                        error_y={"type": "data", "symmetric": False, "array": (part["hi"] - part["net"]).tolist(),
                                 "arrayminus": (part["net"] - part["lo"]).tolist(), "thickness": 1},
                        customdata=[[d.strftime("%Y-%m-%d") + "|" + str(t), int(n)] for d, n in
                                    zip(part["date"], part["n"], strict=True)],
                        hovertemplate="%{x|%Y-%m-%d}<br>net %{y:+.2f}, n=%{customdata[1]}"
                                      "<extra>%{fullData.name}</extra>")
    # A tick per day keeps plotly from labelling hours between a few dates; over longer spans
    # (a year of articles) that would be hundreds of labels, so plotly picks the ticks there.
    days = (agg["date"].max() - agg["date"].min()).days
    xaxis: dict[str, Any] = {"type": "date", "tickformat": "%Y-%m-%d"}
    if days <= 14:
        xaxis["dtick"] = 86400000.0
    fig.update_layout(title=inert(title), height=360, yaxis={"range": [-1.05, 1.05], "title": "net stance",
                                                              "automargin": True},
                      xaxis={**xaxis, "automargin": True}, margin={"l": 10, "r": 10, "t": 50, "b": 40},
                      legend=TOP_LEGEND, colorway=TARGET_COLOURS)
    return fig


def outlets(agg: pd.DataFrame, *, title: str = "Net stance by outlet") -> go.Figure:
    """Grouped bars: one bar per (outlet, target) with n and interval."""
    if agg.empty:
        return _empty(title, "The filtered articles carry no source / outlet.")
    fig = go.Figure()
    for t, part in agg.groupby("target", sort=False):
        fig.add_bar(x=_inert_all(part["source"]), y=part["net"], name=inert(t), text=[f"n={n}" for n in part["n"]],
                    error_y={"type": "data", "symmetric": False, "array": (part["hi"] - part["net"]).tolist(),
                             "arrayminus": (part["net"] - part["lo"]).tolist(), "thickness": 1},
                    customdata=[[f"{s}|{t}", int(n)] for s, n in zip(part["source"], part["n"], strict=True)],
                    hovertemplate="<b>%{x}</b><br>net %{y:+.2f}, n=%{customdata[1]}<extra>%{fullData.name}</extra>")
    fig.update_layout(title=inert(title), barmode="group", height=360,
                      yaxis={"range": [-1.1, 1.1], "title": "net stance", "automargin": True},
                      xaxis={"automargin": True}, margin={"l": 10, "r": 10, "t": 50, "b": 40}, legend=TOP_LEGEND,
                      colorway=TARGET_COLOURS)
    return fig
