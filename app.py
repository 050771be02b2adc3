"""Stancemap: entry point. Page config, navigation, shared state; nothing else (STYLE.md #2).

Pages are listed explicitly with ``st.Page`` (auto-discovery of ``pages/`` is off once
``st.navigation`` runs). A link may name its page either by path (``/dashboard?analysis=..``)
or by the ``page`` query parameter on the root URL (``/?analysis=..&page=dashboard``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from ui.common import EDIT_TOKENS, PAGE_PATHS, md_escape

# The page icon is a file of ours: a ":material/...:" page icon makes the browser fetch the favicon
# from fonts.gstatic.com on every page load (a request off the machine, failing offline), and an
# emoji depends on the viewer's fonts. Navigation icons below are ":material/...:" too, but those
# draw from the Material Symbols font Streamlit ships with its frontend, so they stay local.
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.png"
st.set_page_config(page_title="Stancemap", page_icon=str(FAVICON), layout="wide")

st.session_state.setdefault(EDIT_TOKENS, {})

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

# A root URL with ?page=<name> (e.g. a link built by hand or by the CLI) opens that page, and a
# bare ?analysis=<id> (what `analyze --db` prints) opens that analysis's dashboard: the Analyze
# page never carries an analysis id, so the id can only mean "show me this analysis".
wanted = (st.query_params.get("page") or "").strip().lower() or ("dashboard" if st.query_params.get("analysis") else None)
path = urlsplit(st.context.url or "").path.strip("/") if st.context.url else ""
base = str(st.get_option("server.baseUrlPath") or "").strip("/")
if base and (path == base or path.startswith(base + "/")):
    path = path[len(base):].strip("/")
# A path that is no page ("/../../etc/passwd", "/dashbord") says so instead of a blank page.
if path and path not in {p.url_path for p in PAGES.values()}:
    st.header("Page not found")
    st.info(f"There is no page at /{md_escape(path[:200])}. The pages are Analyze, Dashboard, Statements, "
            "Library and Models (in the sidebar).")
    st.page_link(PAGES["analyze"], label="Analyze articles")
    st.page_link(PAGES["library"], label="Open the Library")
    st.stop()
if wanted in PAGES and wanted != "analyze" and path in ("", "analyze") and page.url_path in ("", "analyze"):
    st.switch_page(PAGES[wanted], query_params={k: st.query_params.get_all(k) for k in st.query_params.keys()})

page.run()
