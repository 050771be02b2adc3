""""Page not found" for paths Streamlit's frontend cannot serve (issue 11, point 6).

Streamlit answers every unknown path with its page shell, which loads its scripts by *relative*
paths: at ``/dashboard/x?analysis=<id>`` or ``/etc/passwd`` (what a browser makes of
``/../../etc/passwd``) they resolve under the unknown folder, nothing loads, and the visitor gets
a blank page. One-segment unknown paths reach the app and get its own "Page not found"
(``app.py``); deeper ones are answered here, before Streamlit, with a plain 404 page. The page
never repeats the requested path (it is the visitor's input).
"""

from __future__ import annotations

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# First path segments that Streamlit (and its static serving, /app/static/) own.
STREAMLIT_PREFIXES: frozenset[str] = frozenset({"_stcore", "static", "media", "component", "app"})

NOT_FOUND_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found · Stancemap</title>
<link rel="icon" href="/app/static/favicon.png">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#262730}
a{color:#1f6fb4}</style></head>
<body><h1>Page not found</h1>
<p>This address is not a page of Stancemap. A share link looks like
<code>/dashboard?analysis=&lt;id&gt;</code>; check that it was copied whole.</p>
<p><a href="/">Open Stancemap</a> · <a href="/library">Open the Library</a></p></body></html>
"""


def is_unknown_deep_path(path: str) -> bool:
    """Whether ``path`` has two or more segments outside Streamlit's own routes."""
    segments = [s for s in path.split("/") if s]
    return len(segments) >= 2 and segments[0] not in STREAMLIT_PREFIXES


class NotFoundForDeepPaths:
    """ASGI middleware: a 404 page for unknown paths of two or more segments."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_unknown_deep_path(scope.get("path", "")):
            await HTMLResponse(NOT_FOUND_HTML, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
