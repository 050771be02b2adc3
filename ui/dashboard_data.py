"""The dashboard's cached aggregates and figures (Streamlit caches; the numbers come from analysis/).

Lives in a module, not in the page script, so the cache decorators run once per process instead
of on every rerun. Everything here is cached with ``cache_resource`` and shared between sessions:
callers only read what they get.

Each aggregate (per article / speaker type / kind filter) and each figure (per filter, minimum
and chart) is its own cache entry, made the first time the page draws it
(:class:`DashboardView`): a filter change on a corpus computes only the open section's charts.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _prepared(fig: go.Figure) -> PreparedFigure:
    # Re-classed in place: PreparedFigure(fig) would copy and re-validate every trace (~10 ms a
    # figure); the subclass adds no state of its own, only the cached to_dict.
    fig.__class__ = PreparedFigure
    return fig  # type: ignore[return-value]


# Which aggregate each chart needs, and how it is computed from the filtered frames.
AGGREGATES: dict[str, Any] = {
    "actor": lambda long, stmts, edges, keep: ag.stance_by_actor(long, 1),
    "country": lambda long, stmts, edges, keep: ag.stance_by_country(long, 1),
    "sentiment": lambda long, stmts, edges, keep: ag.sentiment_by_actor(stmts, 1),
    "network": lambda long, stmts, edges, keep: ag.network_from_edges(edges, keep=keep, min_n=1),
    "trend": lambda long, stmts, edges, keep: ag.stance_trend(long, 1),
    "outlets": lambda long, stmts, edges, keep: ag.stance_by_outlet(long, 1),
}


def _kept(df: pd.DataFrame, subset: Subset) -> pd.DataFrame:
    """The rows the article / type / kind filter keeps; ``df`` itself when nothing is filtered
    (no copy of 600,000 rows)."""
    articles, types, kinds = subset
    return ag.filter_frame(df, articles=articles, speaker_types=types, kinds=kinds) if any(subset) else df


@st.cache_resource(max_entries=96, ttl=600, show_spinner=False)
def aggregate(analysis_id: str, url: str, ver: str, subset: Subset, name: str,
              _long: pd.DataFrame, _stmts: pd.DataFrame, _edges: pd.DataFrame) -> pd.DataFrame:
    """One aggregate (:data:`AGGREGATES`) for every target at n >= 1, for one article / type /
    kind filter: computed the first time a chart of the open section (or an export) needs it."""
    stmts = _kept(_stmts, subset)
    keep = set(stmts["statement_id"]) if any(subset) else None
    return AGGREGATES[name](_kept(_long, subset), stmts, _edges, keep)


@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def headline(analysis_id: str, url: str, ver: str, subset: Subset, _stmts: pd.DataFrame,
             _n_articles: int) -> dict[str, int]:
    """The headline figures of what the filter keeps (``_n_articles``: all the analysis's articles)."""
    return ag.headline(_kept(_stmts, subset), len(subset[0]) if subset[0] else _n_articles)


def _at_least(df: pd.DataFrame, min_n: int, target: str | None = None) -> pd.DataFrame:
    out = df[df["n"] >= max(1, min_n)]
    if target is not None:
        out = out[out["target"] == target]
    return out.reset_index(drop=True)


@st.cache_resource(max_entries=128, ttl=600, show_spinner=False)
def figure(analysis_id: str, url: str, ver: str, subset: Subset, min_n: int, key: tuple[str, ...],
           _build: Any) -> PreparedFigure:
    """A figure of one view, built once per (filter, minimum, chart): a validated plotly
    Figure costs 15-90 ms to build, and its dict form is kept (:class:`PreparedFigure`)."""
    return _prepared(_build())


class DashboardView:
    """The data and figures of one filter setting and minimum, each made the first time the
    page asks for it: a filter change computes only what the open section draws (on 300,000
    statements each aggregate takes 0.2-0.6 s), and the rest waits until its section is opened
    or an export asks for it. Everything comes from the process-wide caches above.

    ``data(name)``: "actor" / "country" / "sentiment" at n >= min_n over every target; the
    network, trend and outlets unfiltered by the minimum. ``per_target(t)``: the actor bars
    (small ones folded into "Others"), every country for the map, the ranked country bars.
    """

    def __init__(self, where: tuple[str, str, str], subset: Subset, min_n: int, targets: Sequence[str],
                 long: pd.DataFrame, stmts: pd.DataFrame, edges: pd.DataFrame) -> None:
        self.where, self.subset, self.min_n, self.targets = where, subset, max(1, int(min_n)), tuple(targets)
        self._frames = (long, stmts, edges)

    def aggregate(self, name: str) -> pd.DataFrame:
        return aggregate(*self.where, self.subset, name, *self._frames)

    def data(self, name: str) -> pd.DataFrame:
        agg = self.aggregate(name)
        return _at_least(agg, self.min_n) if name in ("actor", "country", "sentiment") else agg

    def per_target(self, target: str) -> dict[str, pd.DataFrame]:
        # Bars: actors and countries below the minimum fold into one "Others (k)" bar per target
        # (their evidence stays one click away). The map shows every country with a side-taking
        # statement (white = none): what separates data from no data there is colour, and the
        # hover gives each country's n.
        actor, country = self.aggregate("actor"), self.aggregate("country")
        return {"actor": ag.fold_small(_at_least(actor, 1, target), "speaker", self.min_n),
                "map": _at_least(country, 1, target),
                "country": ag.fold_small(_at_least(country, 1, target), "speaker_country", self.min_n)}

    def _figure(self, key: tuple[str, ...], build: Any) -> PreparedFigure:
        return figure(*self.where, self.subset, self.min_n, key, build)

    def target_figure(self, target: str, chart: str) -> PreparedFigure:
        """``chart``: "actor", "map" or "country" for ``target``."""
        def build() -> go.Figure:
            d = self.per_target(target)[chart]
            if chart == "actor":
                return charts.stance_bars(d, "speaker", title="By actor (net stance, 95% interval)")
            if chart == "map":
                return charts.stance_map(d, title="By speaker country")
            return charts.stance_bars(d, "speaker_country", title="Countries ranked by net stance")
        return self._figure(("target", target, chart), build)

    def section_figure(self, name: str) -> PreparedFigure:
        """``name``: "heatmap", "sentiment", "network", "trend" or "outlets"."""
        builders = {"heatmap": lambda: charts.stance_heatmap(self.data("actor"), targets=self.targets),
                    "sentiment": lambda: charts.sentiment_bars(self.data("sentiment")),
                    "network": lambda: charts.network(self.data("network")),
                    "trend": lambda: charts.trend(self.data("trend")),
                    "outlets": lambda: charts.outlets(self.data("outlets"))}
        return self._figure((name,), builders[name])


@st.cache_resource(max_entries=64, ttl=600, show_spinner=False)
def target_shares(analysis_id: str, url: str, ver: str, target: str, _long: pd.DataFrame,
                  _confusion: dict[str, Any] | None) -> pd.DataFrame:
    """Label shares toward ``target``, as labelled and corrected (:func:`analysis.aggregate.target_shares`):
    the correction's bootstrap runs once per analysis revision, not on every rerun."""
    return ag.target_shares(_long, [target], _confusion)
