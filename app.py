"""Stancemap: entry point. Page config, navigation, shared state; nothing else (STYLE.md #2).

Pages are listed explicitly with ``st.Page`` (auto-discovery of ``pages/`` is off once
``st.navigation`` runs). A link may name its page either by path (``/dashboard?analysis=..``)
or by the ``page`` query parameter on the root URL (``/?analysis=..&page=dashboard``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ui.common import EDIT_TOKENS, PAGE_PATHS, VERSION

# Material Symbols icons: Streamlit ships that font with its frontend (static/media), so they draw
# offline; emoji depend on the viewer's system fonts (a bare headless browser shows empty boxes).
st.set_page_config(page_title="Stancemap", page_icon=":material/travel_explore:", layout="wide")

for key, default in ((EDIT_TOKENS, {}), (VERSION, {})):
    st.session_state.setdefault(key, default)

PAGES = {
    "analyze": st.Page(PAGE_PATHS["analyze"], title="Analyze", icon=":material/edit_note:",
                       url_path="analyze", default=True),
    "dashboard": st.Page(PAGE_PATHS["dashboard"], title="Dashboard", icon=":material/monitoring:",
                         url_path="dashboard"),
    "statements": st.Page(PAGE_PATHS["statements"], title="Statements", icon=":material/format_quote:",
                          url_path="statements"),
    "library": st.Page(PAGE_PATHS["library"], title="Library", icon=":material/library_books:",
                       url_path="library"),
    "models": st.Page(PAGE_PATHS["models"], title="Models", icon=":material/model_training:",
                      url_path="models"),
}

page = st.navigation(list(PAGES.values()))

# A root URL with ?page=<name> (e.g. a link built by hand or by the CLI) opens that page.
wanted = st.query_params.get("page")
path = urlsplit(st.context.url or "").path.strip("/") if st.context.url else ""
if wanted in PAGES and wanted != "analyze" and path in ("", "analyze") and page.url_path in ("", "analyze"):
    st.switch_page(PAGES[wanted], query_params={k: st.query_params.get_all(k) for k in st.query_params.keys()})

page.run()
