"""Statements: a filterable table of every statement, an article reader, and corrections."""

from __future__ import annotations

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
    md_escape,
    open_analysis_or_stop,
    publish_view,
    requested_analysis,
    show_share_link,
)

ensure_app_entry()

# Streamlit markdown background colours, one per speaker in the reader (cycled).
COLOURS: tuple[str, ...] = ("blue", "green", "orange", "violet", "red", "gray")

analysis_id = requested_analysis() or st.session_state.get("current_analysis")
result = open_analysis_or_stop(analysis_id)
assert analysis_id is not None
st.session_state["current_analysis"] = analysis_id

st.title("Statements")
st.caption(md_escape(result.title or ""))
link = publish_view(ViewState(page="statements", analysis=analysis_id,
                              target=result.targets[0] if result.targets else None))
show_share_link(link, analysis_id)

rows = result.rows
table = pd.DataFrame([{
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
    **{f"stance: {t}": (r.get("stance") or {}).get(t, {}).get("label") for t in result.targets},
    **{f"conf.: {t}": max(((r.get("stance") or {}).get(t, {}).get("scores") or {"": 0.0}).values())
       for t in result.targets},
    "text": r.get("text") or "",
} for r in rows])

c1, c2, c3 = st.columns([2, 2, 3])
speakers = sorted({r.get("speaker") for r in rows if r.get("speaker")})
pick_speakers = c1.multiselect("Speaker", speakers, key="statements_speakers", placeholder="all speakers")
pick_kinds = c2.multiselect("Kind", list(ag.KIND_NAMES.values()), key="statements_kinds", placeholder="all kinds")
search = c3.text_input("Search text", key="statements_search")
shown = table
if not shown.empty:
    if pick_speakers:
        shown = shown[shown["speaker"].isin(pick_speakers)]
    if pick_kinds:
        shown = shown[shown["kind"].isin(pick_kinds)]
    if search:
        shown = shown[shown["text"].str.contains(search, case=False, regex=False)]
conf_cols = {c: st.column_config.ProgressColumn(c, min_value=0.0, max_value=1.0, format="percent")
             for c in shown.columns if "conf." in c}
order = ["statement", "speaker", "country", "country from", "kind", "text",
         *[c for c in shown.columns if c.startswith(("stance: ", "conf.: "))],
         "sentiment", "sentiment conf.", "article"]
st.dataframe(shown, hide_index=True, column_order=[c for c in order if c in shown.columns],
             column_config={"text": st.column_config.TextColumn(width="large"), **conf_cols})
st.caption(f"{len(shown)} of {len(table)} statements")

st.subheader("Article reader")
art_titles = {a.article_id: a.title or a.article_id for a in result.articles}
art_id = st.selectbox("Article", list(art_titles), format_func=lambda a: art_titles[a], key="statements_article")
article = next((a for a in result.articles if a.article_id == art_id), None)
if article is not None:
    spans = sorted((int(r["start"]), int(r["end"]), r.get("speaker")) for r in rows
                   if r.get("article_id") == art_id and r.get("start") is not None and r.get("kind") != "narrative")
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
           "is recomputed with them. They need the analysis' edit token.")
by_id = {str(r.get("statement_id")): r for r in rows}
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
        known = sorted({a.name for a in result.actors} | set(speakers))
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
