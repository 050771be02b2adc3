"""Library: saved analyses (title, date, counts); open, rename, delete (with the edit token)."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from analysis import store
from analysis.errors import StancemapError
from ui.common import EDIT_TOKENS, PAGE_PATHS, db_url, ensure_app_entry, md_escape

ensure_app_entry()

st.title("Library")
st.caption("Every saved analysis in this app's database. Anyone can open one; renaming and deleting "
           "need its edit token.")

try:
    entries = store.list_analyses(db_url())
except StancemapError as exc:
    st.error(md_escape(str(exc)))
    st.stop()

# STANCEMAP_LIBRARY=private: on a shared server, list only the analyses this browser session
# created or opened, so the Library does not hand out every (otherwise unguessable) share id.
if os.environ.get("STANCEMAP_LIBRARY", "all").strip().lower() == "private":
    mine = set(st.session_state.get(EDIT_TOKENS, {})) | {st.session_state.get("current_analysis")}
    entries = [e for e in entries if e["analysis_id"] in mine]
    st.caption("Private library: only analyses created or opened in this browser session are listed.")

if not entries:
    st.info("No saved analyses yet. Run one on the Analyze page.")
    st.page_link(PAGE_PATHS["analyze"], label="Analyze articles")
    st.stop()

table = pd.DataFrame(entries)
table["created"] = pd.to_datetime(table["created"], errors="coerce", utc=True).dt.strftime("%Y-%m-%d %H:%M UTC")
table["targets"] = table["targets"].map(lambda ts: "; ".join(ts))
st.dataframe(table[["title", "created", "articles", "statements", "speakers", "countries", "targets",
                    "analysis_id"]], hide_index=True)

ids = [e["analysis_id"] for e in entries]
titles = {e["analysis_id"]: f"{e['title']} ({e['created'][:10]})" for e in entries}
current = st.session_state.get("current_analysis")
chosen = st.selectbox("Analysis", ids, format_func=lambda i: titles[i], key="library_pick",
                      index=ids.index(current) if current in ids else 0)
c1, c2 = st.columns(2)
if c1.button("Open dashboard", type="primary", key="library_open"):
    st.session_state["current_analysis"] = chosen
    st.switch_page(PAGE_PATHS["dashboard"], query_params={"analysis": chosen, "page": "dashboard"})
if c2.button("Open statements", key="library_statements"):
    st.session_state["current_analysis"] = chosen
    st.switch_page(PAGE_PATHS["statements"], query_params={"analysis": chosen, "page": "statements"})

with st.form("library_edit"):
    st.subheader("Rename or delete")
    token = st.text_input("Edit token", value=st.session_state.get(EDIT_TOKENS, {}).get(chosen, ""),
                          type="password")
    new_title = st.text_input("New title", value=next(e["title"] for e in entries if e["analysis_id"] == chosen),
                              max_chars=store.MAX_TITLE_CHARS)
    confirm = st.checkbox("Yes, delete this analysis for everyone (cannot be undone)")
    r, d = st.columns(2)
    do_rename = r.form_submit_button("Rename")
    do_delete = d.form_submit_button("Delete")
if do_rename:
    try:
        store.rename_analysis(chosen, new_title, token, db_url())
        st.session_state["library_notice"] = f"Renamed to “{new_title.strip()}”."
        st.rerun()
    except StancemapError as exc:
        st.error(md_escape(str(exc)))
if do_delete:
    if not confirm:
        st.error("Tick the confirmation box to delete.")
    else:
        try:
            store.delete_analysis(chosen, token, db_url())
            st.session_state.get(EDIT_TOKENS, {}).pop(chosen, None)
            if st.session_state.get("current_analysis") == chosen:
                st.session_state["current_analysis"] = None
            st.session_state["library_notice"] = "Deleted."
            st.rerun()
        except StancemapError as exc:
            st.error(md_escape(str(exc)))
if notice := st.session_state.pop("library_notice", None):
    st.success(md_escape(notice))
