"""Dashboard: headline figures, stance by actor / country / target, sentiment, network, trend, outlets.

The URL always holds the view (analysis, target, filters), so the address bar is the share link.
Clicking a bar, a country, a heatmap cell or an edge lists its evidence statements.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis import aggregate as ag
from analysis import charts, export
from analysis.sharelink import SECTIONS, SPEAKER_TYPES, ViewState
from ui import dashboard_data as dash
from ui.common import (
    db_url,
    ensure_app_entry,
    evidence,
    frames,
    full_result,
    loaded_version,
    md_escape,
    offered_articles,
    open_analysis_or_stop,
    publish_view,
    requested_analysis,
    selected_keys,
    show_share_link,
    targets_editor,
)

ensure_app_entry()

SMALL_ANALYSIS = 300  # statements; below this the default minimum per bar is 1, not 2
TARGET_TAB = "dashboard_target"  # session-state key of the target tabs (value: the open tab's label)
TAB_CHARTS = ("actor", "map", "country")  # the charts each target tab has
TARGET_KEPT = "dashboard_target_kept"  # the open target, kept while another section is open
SECTION_TAB = "dashboard_section"  # session-state key of the section tabs (value: the open label)
SECTION_LABELS = {"stance": "Stance by actor and country", "matrix": "Actor × target",
                  "mentions": "Sentiment and mentions", "time": "Over time and by outlet"}
assert tuple(SECTION_LABELS) == SECTIONS


def tab_label(target: str) -> str:
    """A target as a tab label: tab labels are markdown, user text must stay text."""
    return md_escape(target)


def _init_widgets(view: ViewState, analysis_id: str) -> None:
    st.session_state["dashboard_for"] = analysis_id
    st.session_state[TARGET_KEPT] = view.target
    st.session_state.pop(TARGET_TAB, None)  # given back from TARGET_KEPT below
    st.session_state[SECTION_TAB] = SECTION_LABELS[view.section]
    st.session_state["dashboard_articles"] = list(view.articles)
    st.session_state["dashboard_types"] = list(view.speaker_types)
    st.session_state["dashboard_kinds"] = list(view.kinds)
    st.session_state["dashboard_min"] = view.min_n


def _evidence_ids(agg: pd.DataFrame, key_cols: list[str], keys: list[str]) -> list[str]:
    """Statement ids behind the groups ``keys`` ("a" or "a|b" for two key columns) of ``agg``."""
    ids: list[str] = []
    if agg.empty:
        return ids
    for k in keys:
        parts = k.split("|", len(key_cols) - 1) if len(key_cols) > 1 else [k]
        if len(parts) != len(key_cols):  # a forged or truncated key from a link
            continue
        mask = pd.Series(True, index=agg.index)
        for col, val in zip(key_cols, parts, strict=True):
            mask &= agg[col].astype(str) == val
        for lst in agg.loc[mask, "statement_ids"]:
            ids.extend(lst)
    return ids


class Selections:
    """Which chart element's evidence the page lists, and the ``focus`` a share link carries.

    Each selectable chart gets an empty slot right under it; once every chart has been drawn
    (and so every selection is known) :meth:`fill` lists evidence in the slots. The focus is
    the selection the user changed last; a link's focus is listed as if it were selected, so a
    colleague opening the link sees the same evidence (plotly cannot be told to highlight it).
    """

    STATE = "dashboard_selections"

    def __init__(self, focus: str | None, open_tab: int) -> None:
        # Charts of target tab i are "actor@i", "map@i", "country@i"; a link says "actor" for the
        # open tab's chart, so the same link works whichever target it opens on.
        self.open_tab = open_tab
        chart, _, key = (focus or "").partition(":")
        self.focus = f"{chart}@{open_tab}:{key}" if chart in TAB_CHARTS else focus
        self.slots: list[tuple[str, Any, list[str], pd.DataFrame, list[str], str | None]] = []

    def link_focus(self) -> str | None:
        chart, _, key = (self.focus or "").partition(":")
        name, at, tab = chart.partition("@")
        if not at:
            return self.focus
        return f"{name}:{key}" if tab == str(self.open_tab) else None  # another tab's selection

    def add(self, chart: str, event: Any, agg: pd.DataFrame, key_cols: list[str], target: str | None,
            *, live: list[str] | None = None) -> None:
        """Register ``chart``'s selection (a plotly event, or ``live`` keys) and its slot."""
        keys = live if live is not None else selected_keys(event)
        self.slots.append((chart, st.container(), keys, agg, key_cols, target))

    def fill(self, result: Any) -> str | None:
        """List evidence under each chart; return the focus to put in the link."""
        before: dict[str, list[str]] = st.session_state.get(self.STATE, {})
        now = {chart: keys for chart, _, keys, *_ in self.slots}
        for chart, keys in now.items():
            if keys != before.get(chart, []):
                if keys:
                    self.focus = f"{chart}:{keys[0]}"
                elif self.focus and self.focus.partition(":")[0] == chart:
                    self.focus = None  # the user cleared the selection the link carried
        st.session_state[self.STATE] = now
        f_chart, _, f_key = (self.focus or "").partition(":")
        for chart, slot, keys, agg, key_cols, target in self.slots:
            shown = keys or ([f_key] if chart == f_chart else [])
            ids = _evidence_ids(agg, key_cols, shown) if shown else []
            if not ids:
                continue
            if chart in ("cell", "outlets"):
                target = shown[0].split("|", 1)[-1]
            with slot:
                st.markdown("**Evidence for** " + md_escape(", ".join(shown).replace("|", " → ")))
                evidence(ids, result, target)
        return self.link_focus()


analysis_id = requested_analysis() or st.session_state.get("current_analysis")
# Without its rows: the charts come from the stored frames and evidence fetches the rows it
# lists, so an analysis of 300,000 statements opens in seconds (issue 12; README, "Corpus scale").
result = open_analysis_or_stop(analysis_id, with_rows=False)
assert analysis_id is not None
st.session_state["current_analysis"] = analysis_id
article_ids = [a.article_id for a in result.articles]
tables = frames(analysis_id)
long_df, stmts_df = tables.stance, tables.statements

if requested_analysis():
    from ui.common import current_view
    view = current_view("dashboard", result.targets, article_ids)
    if "target" not in st.query_params and result.targets:   # a bare ?analysis= link
        view = ViewState(**{**view.__dict__, "target": ag.opening_target(long_df, result.targets)})
    if "min" not in st.query_params and len(stmts_df) < SMALL_ANALYSIS:
        # One article or a few: every side-taking statement is worth a bar of its own (n shows
        # how little it is); the default of two applies where there is enough to fold.
        view = ViewState(**{**view.__dict__, "min_n": 1})
else:
    view = st.session_state.get("dashboard_last_view") or ViewState(
        analysis=analysis_id, target=ag.opening_target(long_df, result.targets))
if st.session_state.get("dashboard_for") != analysis_id:
    _init_widgets(view, analysis_id)

st.title(md_escape(result.title or "Dashboard"))
st.caption(md_escape(f"Saved {result.created or ''} · models: {result.models.get('sentiment', '?')} / "
                     f"{result.models.get('stance', '?')}"))

targets_editor(result)
if duplicates := result.settings.get("duplicates"):
    n_copies = sum(len(g["copies"]) for g in duplicates)
    with st.expander(f"{n_copies} duplicate article(s) analysed and counted once"):
        st.caption("Identical or near-identical texts (the same wire story in several outlets; word "
                   "5-gram similarity of at least 0.8) count once: the first copy is analysed, the "
                   "others are listed here.")
        titles_by_id = {a.article_id: (a.title or a.article_id) for a in result.articles}
        for g in duplicates:
            also = "; ".join(f"{c.get('source') or c['article_id']} ({c['similarity']:.0%} the same)"
                             for c in g["copies"])
            st.markdown(md_escape(f"{titles_by_id.get(g['kept'], g['kept'])} — also published by: {also}"))

with st.sidebar:
    st.header("Filters")
    titles = {a.article_id: (a.title or a.article_id) for a in result.articles}
    offered = offered_articles(titles, "dashboard_article_query", st.session_state.get("dashboard_articles") or [])
    articles = st.multiselect("Articles", offered, key="dashboard_articles",
                              format_func=lambda a: titles.get(a, a), placeholder="all articles")
    types = st.multiselect("Speaker type", list(SPEAKER_TYPES), key="dashboard_types", placeholder="all types")
    kinds = st.multiselect("Statement kind", list(ag.KINDS), key="dashboard_kinds",
                           format_func=lambda k: ag.KIND_NAMES.get(k, k), placeholder="all kinds")
    min_n = st.number_input("Minimum statements per bar", min_value=1, max_value=1000, step=1, key="dashboard_min")

# The target is the open tab below; the share box is filled once that is known.
share_box = st.container()

where = (analysis_id, db_url(), loaded_version(analysis_id))
subset = (tuple(articles), tuple(types), tuple(kinds))
# Only what the open section draws is computed (and cached for every viewer); the rest waits.
view_data = dash.DashboardView(where, subset, int(min_n), result.targets, long_df, stmts_df, tables.edges)

# The headline counts what the filters keep ("5 of 21"), so it agrees with the charts below.
everything = ag.headline(stmts_df, len(result.articles))
shown = dash.headline(*where, subset, stmts_df, len(result.articles))
filtered = bool(articles or types or kinds)
for column, (key, label) in zip(st.columns(4), (("articles", "Articles"), ("statements", "Statements"),
                                                 ("speakers", "Speakers"), ("countries", "Countries")), strict=True):
    value = f"{shown[key]:,} of {everything[key]:,}" if filtered and shown[key] != everything[key] else f"{everything[key]:,}"
    column.metric(label, value, help="in the statements the filters keep, of all in the analysis" if filtered else None)

cfg = charts.PLOTLY_CONFIG
dated = any(a.published for a in result.articles)
sourced = any(a.source for a in result.articles)
# Every chart of the view, drawn or not, for the export section and the report: by name, each
# figure made only when an export asks for it.
chart_makers: dict[str, Any] = {
    **{f"{name} — {t}": (lambda t=t, k=k: view_data.target_figure(t, k)) for t in result.targets
       for k, name in (("actor", "Stance by actor"), ("map", "Stance by country (map)"),
                       ("country", "Stance by country (ranked)"))},
    "Actor × target": lambda: view_data.section_figure("heatmap"),
    "Sentiment by actor": lambda: view_data.section_figure("sentiment"),
    "Who talks about whom": lambda: view_data.section_figure("network"),
    **({"Trend": lambda: view_data.section_figure("trend")} if dated else {}),
    **({"Outlets": lambda: view_data.section_figure("outlets")} if sourced else {}),
}


def shares_table(shares: pd.DataFrame, confusion: dict[str, Any] | None) -> None:
    """Shares of favor / against / none toward a target as labelled, and corrected for the
    model's known errors on its dev set (where the analysis saved the model's confusion matrix)."""
    if shares.empty:
        return
    with st.expander("How much favors, opposes, says nothing — as labelled and corrected for the model's errors"):
        table = shares.drop(columns="target").copy()
        for col in [c for c in ("observed", "corrected", "lo", "hi") if c in table]:
            table[col] = (table[col] * 100).round(1)
        st.dataframe(table.rename(columns={"observed": "% as labelled", "corrected": "% corrected",
                                           "lo": "% corrected, low", "hi": "% corrected, high"}), hide_index=True)
        if confusion:
            st.caption("Corrected: the model's confusion matrix on its labelled news dev set says how often "
                       "each true label comes out as each label; inverting it estimates the true shares "
                       "(95% bootstrap interval; it leaves out the dev set's own sampling error, so the real "
                       "uncertainty is larger). A model that says “none” too often would otherwise hide positions.")
        else:
            st.caption("No correction: the model that scored this analysis has no measured confusion matrix.")


def draw(fig: Any, key: str, *, selectable: bool = True) -> Any:
    """Draw one figure; return its selection event."""
    if not selectable:
        return st.plotly_chart(fig, key=f"dashboard_chart_{key}", config=cfg)
    return st.plotly_chart(fig, key=f"dashboard_chart_{key}", on_select="rerun", selection_mode="points", config=cfg)


# Sections are tabs and only the open one is drawn, and within "Stance" only the open target's
# tab: a filter change then redraws at most three charts, however many targets there are.
# Streamlit redraws a chart whose data changed from scratch (its element id includes the
# figure), 60-110 ms a chart on 2 cores; drawing all eleven made a kind filter take ~1.5 s, and
# drawing every target's tab (instant target switches, 0.3 s) made a filter change cost three
# charts per target (scripts/bench_app.py; README).
sections = st.tabs(list(SECTION_LABELS.values()), key=SECTION_TAB, on_change="rerun")
section = next((k for k, tab in zip(SECTION_LABELS, sections, strict=True) if tab.open), SECTIONS[0])
# Streamlit forgets a widget's state on a run that does not draw it: while another section is
# open the target tabs are not drawn, so the open target is kept apart and given back to them.
if TARGET_TAB not in st.session_state and st.session_state.get(TARGET_KEPT) in result.targets:
    st.session_state[TARGET_TAB] = tab_label(st.session_state[TARGET_KEPT])
open_tab = next((i for i, t in enumerate(result.targets) if tab_label(t) == st.session_state.get(TARGET_TAB)), 0)
target = result.targets[open_tab] if result.targets else None
st.session_state[TARGET_KEPT] = target
sel = Selections(view.focus, open_tab)

if section == "stance":
    with sections[0]:
        if not result.targets:
            st.info("This analysis has no stance targets yet. Add one under “Targets: add or remove” above.")
        else:
            tabs = list(st.tabs([tab_label(t) for t in result.targets], key=TARGET_TAB, on_change="rerun"))
            for i, (tab, tgt) in enumerate(zip(tabs, result.targets, strict=True)):
                if not tab.open:
                    continue
                data_t = view_data.per_target(tgt)
                with tab:
                    on_tgt = long_df[long_df["target"] == tgt]
                    scored, sided = len(on_tgt), int(on_tgt["stance"].isin(("favor", "against")).sum())
                    st.caption(md_escape(
                        f"Net stance counts only the statements that take a side on “{tgt}”: {sided} of "
                        f"{scored} statements. n on a bar is that actor's side-taking statements (hover for how "
                        f"many they said in all); actors and countries below the minimum ({int(min_n)}) are one “Others” bar; "
                        f"the map shows every country with a side-taking statement."))
                    left, right = st.columns(2)
                    with left:
                        ev_actor = draw(view_data.target_figure(tgt, "actor"), f"actor_{i}")
                    with right:
                        ev_map = draw(view_data.target_figure(tgt, "map"), f"map_{i}")
                    sel.add(f"actor@{i}", ev_actor, data_t["actor"], ["speaker"], tgt)
                    sel.add(f"map@{i}", ev_map, data_t["map"], ["speaker_country"], tgt)
                    ev_cbar = draw(view_data.target_figure(tgt, "country"), f"country_{i}")
                    sel.add(f"country@{i}", ev_cbar, data_t["country"], ["speaker_country"], tgt)
                    shares_table(dash.target_shares(*where, tgt, long_df, result.settings.get("stance_confusion")),
                                 result.settings.get("stance_confusion"))

elif section == "matrix":
    with sections[1]:
        ev_heat = draw(view_data.section_figure("heatmap"), "heatmap")
        actor_data = view_data.data("actor")
        # plotly.js emits no selection event for heatmap cells, so the cell's evidence is one pick away.
        cells = [f"{a}|{t}" for a, t in zip(actor_data["speaker"], actor_data["target"], strict=True)]
        cell = st.selectbox("Evidence for a cell", cells, index=None, key="dashboard_cell",
                            placeholder="actor → target", format_func=lambda c: c.replace("|", " → "))
        sel.add("cell", None, actor_data, ["speaker", "target"], None,
                live=selected_keys(ev_heat) or ([cell] if cell else []))

elif section == "mentions":
    with sections[2]:
        left, right = st.columns(2)
        with left:
            ev_sent = draw(view_data.section_figure("sentiment"), "sentiment")
        with right:
            ev_net = draw(view_data.section_figure("network"), "network")
            network = view_data.data("network")
            if len(network):
                with st.expander("The links as a table"):
                    st.dataframe(network.sort_values("n", ascending=False)
                                 .rename(columns={"source": "speaker", "target": "mentions", "n": "statements",
                                                  "net": "mention sentiment"})
                                 [["speaker", "mentions", "statements", "mention sentiment"]],
                                 hide_index=True)
        sel.add("sentiment", ev_sent, view_data.data("sentiment"), ["speaker"], target)
        sel.add("network", ev_net, network, ["source", "target"], target)

else:
    with sections[3]:
        if not (dated or sourced):
            st.info("These articles carry no publication dates and no outlets, so there is no trend and "
                    "no outlet comparison. Upload files with a date line or a CSV/JSONL with 'published' and "
                    "'source' columns to see them.")
        elif not dated:
            st.caption("No trend: the articles carry no publication dates.")
        elif not sourced:
            st.caption("No outlet comparison: the articles carry no source / outlet.")
        left, right = st.columns(2)
        if dated:
            with left:
                draw(view_data.section_figure("trend"), "trend", selectable=False)
        if sourced:
            with right:
                ev_out = draw(view_data.section_figure("outlets"), "outlets")
            sel.add("outlets", ev_out, view_data.data("outlets"), ["source", "target"], None)

focus = sel.fill(result)
view = ViewState(page="dashboard", analysis=analysis_id, target=target, articles=tuple(articles),
                 speaker_types=tuple(types), kinds=tuple(kinds), min_n=int(min_n), section=section, focus=focus)
st.session_state["dashboard_last_view"] = view
link = publish_view(view)
with share_box:
    show_share_link(link, analysis_id)

with st.expander("Export"):
    c1, c2, c3 = st.columns(3)
    for col, fmt in zip((c1, c2, c3), export.FORMATS, strict=True):
        col.download_button(f"Statements as {fmt.upper()}",
                            data=lambda fmt=fmt: export.statements_bytes(full_result(result).rows, result.targets, fmt),
                            file_name=f"stancemap-{analysis_id}.{fmt}", mime=export.MIME[fmt],
                            key=f"dashboard_export_{fmt}", on_click="ignore")
    chosen = st.selectbox("Chart", list(chart_makers), key="dashboard_export_chart")
    st.download_button("Chart as standalone HTML",
                       data=lambda: export.chart_html(chart_makers[chosen](), title=chosen),
                       file_name=f"stancemap-{export.file_slug(chosen)}.html", mime="text/html",
                       key="dashboard_export_chart_html", on_click="ignore")
    st.download_button("Whole analysis as an HTML report",
                       data=lambda: export.report_html(full_result(result), [(n, make()) for n, make in chart_makers.items()],
                                                       share_link=link),
                       file_name=f"stancemap-report-{analysis_id}.html", mime="text/html",
                       key="dashboard_export_report", on_click="ignore")

if result.errors:
    with st.expander(f"{len(result.errors)} input(s) could not be analyzed"):
        for err in result.errors:
            st.text(f"{err.source}: {err.error}")
