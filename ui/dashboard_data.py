"""The dashboard's cached aggregates and figures (Streamlit caches; the numbers come from analysis/).

Lives in a module, not in the page script, so the cache decorators run once per process instead
of on every rerun. Everything here is cached with ``cache_resource`` and shared between sessions:
callers only read what they get.

Two levels, so a filter change does as little as it can:

* :func:`aggregates` – every aggregate for every target at n >= 1, per article / speaker type /
  kind filter (the groupbys);
* :func:`at_minimum` – for one "minimum statements" value: the row slices per target and the
  figures built from them (``n >= min`` is a plain row filter of the aggregates).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import aggregate as ag
from analysis import charts

Subset = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # (articles, speaker types, kinds)


class PreparedFigure(go.Figure):
    """A figure drawn on every rerun and never changed: its dict form is made once.

    ``st.plotly_chart`` calls ``to_dict()`` on every run, a deep copy plus array encoding that
    took about half of a dashboard rerun's server time (yappi, 1,000 statements). Cached
    figures are only read, so the first dict is kept and handed out again.
    """

    def to_dict(self) -> dict[str, Any]:
        prepared = getattr(self, "_prepared_dict", None)
        if prepared is None:
            prepared = super().to_dict()
            self._prepared_dict = prepared
        return prepared


def _prepared(figs: dict[str, go.Figure]) -> dict[str, PreparedFigure]:
    # Re-classed in place: PreparedFigure(fig) would copy and re-validate every trace (~10 ms a
    # figure); the subclass adds no state of its own, only the cached to_dict.
    for fig in figs.values():
        fig.__class__ = PreparedFigure
    return figs  # type: ignore[return-value]


@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def aggregates(analysis_id: str, url: str, ver: str, subset: Subset,
               _long: pd.DataFrame, _stmts: pd.DataFrame, _edges: pd.DataFrame, _n_articles: int) -> dict[str, Any]:
    """Every aggregate for every target at n >= 1 for one article / type / kind filter, and the
    headline figures of what the filter keeps (``_n_articles``: all the analysis's articles)."""
    articles, types, kinds = subset
    flt = {"articles": articles, "speaker_types": types, "kinds": kinds}
    long_all = ag.filter_frame(_long, **flt)
    stmts = ag.filter_frame(_stmts, **flt)
    keep = set(stmts["statement_id"]) if any(subset) else None   # None: every statement
    return {
        "actor": ag.stance_by_actor(long_all, 1),
        "country": ag.stance_by_country(long_all, 1),
        "sentiment": ag.sentiment_by_actor(stmts, 1),
        "network": ag.network_from_edges(_edges, keep=keep, min_n=1),
        "trend": ag.stance_trend(long_all, 1),
        "outlets": ag.stance_by_outlet(long_all, 1),
        "n_statements": len(stmts),
        "headline": ag.headline(stmts, len(articles) if articles else _n_articles),
    }


def _at_least(df: pd.DataFrame, min_n: int, target: str | None = None) -> pd.DataFrame:
    out = df[df["n"] >= max(1, min_n)]
    if target is not None:
        out = out[out["target"] == target]
    return out.reset_index(drop=True)


@st.cache_resource(max_entries=64, ttl=600, show_spinner=False)
def at_minimum(analysis_id: str, url: str, ver: str, subset: Subset, min_n: int, targets: tuple[str, ...],
               _base: dict[str, Any]) -> dict[str, Any]:
    """What the page draws at one minimum: the slices and the figures (built once per setting:
    a validated plotly Figure costs 15-90 ms to build).

    Returns ``data`` (actor / country / sentiment frames over every target, plus the
    unfiltered network / trend / outlet frames), ``per_target`` ({target: {"actor", "map", "country"}}),
    ``figures`` ({"heatmap", "sentiment"}) and ``target_figures`` ({target: {"actor", "map",
    "country"}}).
    """
    data = {**_base, **{k: _at_least(_base[k], min_n) for k in ("actor", "country", "sentiment")}}
    # Bars: actors and countries below the minimum fold into one "Others (k)" bar per target
    # (their evidence stays one click away). The map shows every country with a side-taking
    # statement (white = none): what separates data from no data there is colour, and the hover
    # gives each country's n.
    per_target = {t: {"actor": ag.fold_small(_at_least(_base["actor"], 1, t), "speaker", min_n),
                      "map": _at_least(_base["country"], 1, t),
                      "country": ag.fold_small(_at_least(_base["country"], 1, t), "speaker_country", min_n)}
                  for t in targets}
    figures = _prepared({"heatmap": charts.stance_heatmap(data["actor"], targets=targets),
                         "sentiment": charts.sentiment_bars(data["sentiment"])})
    target_figures = {}
    for t, d in per_target.items():
        target_figures[t] = _prepared({
            "actor": charts.stance_bars(d["actor"], "speaker", title="By actor (net stance, 95% interval)"),
            "map": charts.stance_map(d["map"], title="By speaker country"),
            "country": charts.stance_bars(d["country"], "speaker_country", title="Countries ranked by net stance"),
        })
    return {"data": data, "per_target": per_target, "figures": figures, "target_figures": target_figures}


@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def overview_figures(analysis_id: str, url: str, ver: str, subset: Subset, _base: dict[str, Any]) -> dict[str, Any]:
    """Figures the minimum does not change (network, trend, outlets): once per filter."""
    return _prepared({"network": charts.network(_base["network"]), "trend": charts.trend(_base["trend"]),
                      "outlets": charts.outlets(_base["outlets"])})


@st.cache_resource(max_entries=64, ttl=600, show_spinner=False)
def target_shares(analysis_id: str, url: str, ver: str, target: str, _long: pd.DataFrame,
                  _confusion: dict[str, Any] | None) -> pd.DataFrame:
    """Label shares toward ``target``, as labelled and corrected (:func:`analysis.aggregate.target_shares`):
    the correction's bootstrap runs once per analysis revision, not on every rerun."""
    return ag.target_shares(_long, [target], _confusion)
