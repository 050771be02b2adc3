"""Stancemap's server: ``streamlit run serve.py`` (what ``scripts/run-app`` starts).

The app itself is ``app.py``; this wraps it in Streamlit's ASGI ``st.App`` only to put one
middleware in front: unknown paths two segments deep get a real "Page not found" instead of a
blank page (``ui/not_found.py``). ``streamlit run app.py`` still works, without that page.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.not_found import NotFoundForDeepPaths

app = st.App("app.py", middleware=[Middleware(NotFoundForDeepPaths)])
