"""Statements: a filterable table of every statement, an article reader, and corrections."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis import aggregate as ag
from analysis import store
from analysis.errors import StancemapError
from analysis.labels import STANCE_LABELS
from analysis.sharelink import ViewState
from ui.common import (
    EDIT_TOKENS,
    db_url,
    ensure_app_entry,
    frames,
    md_escape,
    offered_articles,
    open_analysis_or_stop,
    publish_view,
    requested_analysis,
    show_share_link,
)

ensure_app_entry()

# Streamlit markdown background colours, one per speaker in the reader (cycled).
COLOURS: tuple[str, ...] = ("blue", "green", "orange", "violet", "red", "gray")
# A corpus has 300,000 statements: the table shows one page of them (texts fetched for that page
# only), and a speaker list of every name would send megabytes to each browser.
PAGE_ROWS = 500
SPEAKER_OPTIONS = 500  # the most quoted speakers listed in a filter; others are typed or searched

analysis_id = requested_analysis() or st.session_state.get("current_analysis")
# Without its rows: the page works from the stored frames and fetches the rows and texts it shows.
result = open_analysis_or_stop(analysis_id, with_rows=False)
assert analysis_id is not None
st.session_state["current_analysis"] = analysis_id
stmts = frames(analysis_id).statements

st.title("Statements")
st.caption(md_escape(result.title or ""))
link = publish_view(ViewState(page="statements", analysis=analysis_id,
                              target=result.targets[0] if result.targets else None))
show_share_link(link, analysis_id)


def statements_table(rows: list[dict[str, Any]], targets: list[str]) -> pd.DataFrame:
    """One table row per statement row: who, where from (and why), kind, scores, text."""
    return pd.DataFrame([{
        "statement": r.get("statement_id"),
        "article": r.get("article_title") or r.get("article_id"),
        "speaker": r.get("speaker") or "",
        "country": r.get("speaker_country") or "",
        # Why the speaker has that country: the text says it, a knowledge base, inferred from
        # where the article is set, or the user's override / correction.
        "country from": (r.get("speaker_country_evidence") or "") if r.get("speaker_country") else "",
        "kind": ag.KIND_NAMES.get(r.get("kind") or "", r.get("kind") or ""),
        "sentiment": (r.get("sentiment") or {}).get("label"),
        "sentiment conf.": max(((r.get("sentiment") or {}).get("scores") or {"": 0.0}).values()),
        **{f"stance: {t}": (r.get("stance") or {}).get(t, {}).get("label") for t in targets},
        **{f"conf.: {t}": max(((r.get("stance") or {}).get(t, {}).get("scores") or {"": 0.0}).values())
           for t in targets},
        "text": r.get("text") or "",
    } for r in rows])


speaker_counts = stmts["speaker"].dropna().value_counts()
speaker_counts = speaker_counts[speaker_counts.index != ""]
c1, c2, c3 = st.columns([2, 2, 3])
chosen_speakers = [s for s in st.session_state.get("statements_speakers") or [] if s in speaker_counts.index]
listed = list(dict.fromkeys([*chosen_speakers, *sorted(speaker_counts.index[:SPEAKER_OPTIONS])]))
pick_speakers = c1.multiselect("Speaker", listed, key="statements_speakers", placeholder="all speakers",
                               help=None if len(speaker_counts) <= SPEAKER_OPTIONS else
                               f"The {SPEAKER_OPTIONS} most quoted of {len(speaker_counts):,} speakers; "
                               "search the text for others.")
kind_of_name = {name: kind for kind, name in ag.KIND_NAMES.items()}
pick_kinds = c2.multiselect("Kind", list(ag.KIND_NAMES.values()), key="statements_kinds", placeholder="all kinds")
search = c3.text_input("Search text", key="statements_search", max_chars=200)
kept = stmts
if pick_speakers:
    kept = kept[kept["speaker"].isin(pick_speakers)]
if pick_kinds:
    kept = kept[kept["kind"].isin([kind_of_name.get(k, k) for k in pick_kinds])]
ids = kept["statement_id"].astype(str).tolist()
if search.strip():
    found = set(store.search_statement_ids(analysis_id, search, db_url()))
    ids = [i for i in ids if i in found]
n_pages = max(1, -(-len(ids) // PAGE_ROWS))
page = 1
if n_pages > 1:
    if int(st.session_state.get("statements_page") or 1) > n_pages:
        st.session_state["statements_page"] = n_pages   # a narrower filter: its last page
    page = int(st.number_input(f"Page (of {n_pages:,}; {PAGE_ROWS} statements each)", min_value=1,
                               max_value=n_pages, step=1, key="statements_page"))
    page = min(page, n_pages)
page_ids = ids[(page - 1) * PAGE_ROWS:page * PAGE_ROWS]
page_rows = store.load_statement_rows(analysis_id, page_ids, db_url())
shown = statements_table(page_rows, result.targets)
conf_cols = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent")
             for c in shown.columns if "conf." in c}
order = ["statement", "speaker", "country", "country from", "kind", "text",
         *[c for c in shown.columns if c.startswith(("stance: ", "conf.: "))],
         "sentiment", "sentiment conf.", "article"]
st.dataframe(shown, hide_index=True, column_order=[c for c in order if c in shown.columns],
             column_config={"text": st.column_config.TextColumn(width="large"), **conf_cols})
where = "" if n_pages == 1 else f" (statements {(page - 1) * PAGE_ROWS + 1:,}-{(page - 1) * PAGE_ROWS + len(page_ids):,} shown)"
st.caption(f"{len(ids):,} of {len(stmts):,} statements{where}")

st.subheader("Article reader")
art_titles = {a.article_id: a.title or a.article_id for a in result.articles}
offered = offered_articles(art_titles, "statements_article_query",
                           [a for a in [st.session_state.get("statements_article")] if a])
art_id = st.selectbox("Article", offered, format_func=lambda a: art_titles[a], key="statements_article")
article = store.load_articles(analysis_id, [art_id], db_url()).get(art_id) if art_id else None
if article is not None:
    in_article = stmts.loc[stmts["article_id"] == art_id, "statement_id"].astype(str).tolist()
    spans = sorted((int(r["start"]), int(r["end"]), r.get("speaker"))
                   for r in store.load_statement_rows(analysis_id, in_article, db_url())
                   if r.get("start") is not None and r.get("kind") != "narrative")
    colour = {s: COLOURS[i % len(COLOURS)] for i, s in enumerate(dict.fromkeys(s for _, _, s in spans if s))}
    if colour:
        st.markdown("Quotes by speaker: " + " ".join(
            f":{c}-background[{md_escape(s)}]" for s, c in colour.items()))
    parts, pos = [], 0
    for s, e, speaker in spans:
        s = max(s, pos)
        if s >= e:
            continue
        parts.append(md_escape(article.text[pos:s]))
        c = colour.get(speaker, "gray")
        parts.append(f":{c}-background[{md_escape(article.text[s:e])}]")
        pos = e
    parts.append(md_escape(article.text[pos:]))
    meta = " · ".join(x for x in (article.source, article.published) if x)
    with st.container(border=True, height=480):
        st.markdown(f"#### {md_escape(article.title or article.article_id)}")
        if meta:
            st.caption(md_escape(meta))
        st.markdown("".join(parts))

st.subheader("Correct a statement")
st.caption("Corrections of speaker, country or stance are saved with the analysis and every chart "
           "is recomputed with them. They need the analysis' edit token. Pick a statement of the "
           "table above (filter or search it to find one).")
by_id = {str(r.get("statement_id")): r for r in page_rows}
if by_id:
    # The whole statement is the option's label, so typing any of its words finds it.
    sid = st.selectbox("Statement (type any words of it to search)", list(by_id), key="statements_fix_id",
                       format_func=lambda i: f"{i} — {by_id[i].get('speaker') or 'unattributed'}: "
                                             f"{' '.join((by_id[i].get('text') or '').split())}")
    fix_field = st.radio("Field", ["speaker", "country", "stance"], horizontal=True, key="statements_fix_field")
    row = by_id[sid]
    if fix_field == "speaker":
        st.caption(md_escape(f"Now: {row.get('speaker') or 'unattributed'}"
                             + (" (corrected)" if "speaker" in (row.get("corrected") or []) else " (rules)")))
        # The most quoted speakers and the actors (a corpus has tens of thousands); any other
        # name can be typed.
        known = sorted({a.name for a in result.actors[:SPEAKER_OPTIONS]} | set(listed)
                       | ({row["speaker"]} if row.get("speaker") else set()))
        value: object = st.selectbox("Speaker", ["(none)", *known], key="statements_fix_speaker",
                                     accept_new_options=True,
                                     index=(known.index(row["speaker"]) + 1) if row.get("speaker") in known else 0)
        value = None if value == "(none)" else value
    elif fix_field == "country":
        st.caption(md_escape(f"Now: {row.get('speaker_country') or 'none'}"
                             + (" (corrected)" if "country" in (row.get("corrected") or []) else "")))
        value = st.text_input("Country (ISO-3 code or name; empty clears it)", value=row.get("speaker_country") or "",
                              key="statements_fix_country") or None
    else:
        tgt = st.selectbox("Target", result.targets, key="statements_fix_target")
        now = ((row.get("stance") or {}).get(tgt) or {})
        labels = list(STANCE_LABELS)
        if now.get("corrected"):
            st.caption(md_escape(f"Now: {now.get('label')} (corrected; the model said {now.get('model_label')})"))
        elif now:
            p_now = (now.get("scores") or {}).get(now.get("label"), 0.0)
            st.caption(md_escape(f"Now: {now.get('label')} (model, {p_now:.0%} sure)"))
        label = st.radio("Stance", labels, horizontal=True, key=f"statements_fix_label_{sid}_{tgt}",
                         index=labels.index(now["label"]) if now.get("label") in labels else 0)
        value = {"target": tgt, "label": label}
    # The token and the button are one form: the token is sent with the click (or Enter) whatever
    # the focus did before (Tab from a password field lands on its show/hide toggle).
    with st.form("statements_fix_form", border=False):
        token = st.text_input("Edit token", value=st.session_state.get(EDIT_TOKENS, {}).get(analysis_id, ""),
                              type="password", key="statements_fix_token")
        save = st.form_submit_button("Save correction", key="statements_fix_save")
    if save:
        try:
            store.save_correction(analysis_id, sid, fix_field, value, token, db_url())
        except StancemapError as exc:
            st.error(md_escape(str(exc)))
        else:
            st.session_state.setdefault(EDIT_TOKENS, {})[analysis_id] = token.strip()
            st.session_state["statements_fixed"] = sid
            st.rerun()
    if fixed := st.session_state.pop("statements_fixed", None):
        st.success(md_escape(f"Saved the correction of {fixed}; the dashboard now uses it."))
    if undone := st.session_state.pop("statements_undone", None):
        st.success(md_escape(undone))
    corrections = store.list_corrections(analysis_id, db_url())
    if corrections:
        with st.expander(f"{len(corrections)} correction(s) recorded", expanded=bool(fixed)):
            st.dataframe(pd.DataFrame(corrections), hide_index=True)
            labels_by_id = {c["id"]: f"#{c['id']} {c['statement_id']} {c['field']}"
                            + (f" [{c['target']}]" if c.get("target") else "") + f" → {c['value']}"
                            for c in corrections}
            undo_id = st.selectbox("Undo a correction", list(labels_by_id), index=len(labels_by_id) - 1,
                                   format_func=lambda i: labels_by_id[i], key="statements_undo_id")
            if st.button("Undo it", key="statements_undo"):
                try:
                    store.undo_correction(analysis_id, undo_id,
                                          st.session_state.get(EDIT_TOKENS, {}).get(analysis_id) or token, db_url())
                except StancemapError as exc:
                    st.error(md_escape(str(exc)))
                else:
                    st.session_state["statements_undone"] = f"Undid {labels_by_id[undo_id]}; the dashboard no longer uses it."
                    st.rerun()
