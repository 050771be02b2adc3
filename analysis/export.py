"""Exports: statements as CSV / JSONL / Parquet, one chart as standalone HTML, a full HTML report.

Every piece of user text (article titles and bodies, statements, speaker names) that goes into
HTML passes through :func:`html.escape`; nothing from an article is ever interpreted as markup.
Standalone HTML embeds plotly.js (``include_plotlyjs=True``, ~4.6 MB per file) so the file
opens offline; the report embeds it once for all its charts. For choropleths the world outline
(``static/world_110m.json``, 137 kB) is embedded too, as ``window.PlotlyGeoAssets``: plotly.js
only fetches an outline from ``topojsonURL`` when that global does not already hold it.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .aggregate import KIND_NAMES
from .outfiles import jsonl_line, statements_csv, table_columns, table_row
from .records import AnalysisResult

TOPOJSON_FILE = Path(__file__).resolve().parents[1] / "static" / "world_110m.json"

FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")
MIME: dict[str, str] = {"csv": "text/csv", "jsonl": "application/x-ndjson",
                        "parquet": "application/vnd.apache.parquet", "html": "text/html"}


def flat_statements(rows: Sequence[dict[str, Any]], targets: Sequence[str]) -> pd.DataFrame:
    """The statements table (:func:`analysis.outfiles.table_row`): the same layout the CLI
    writes, nested fields as JSON text, ``corrected``, and a label column per target."""
    return pd.DataFrame([table_row(r, targets) for r in rows], columns=table_columns(targets))


def statements_bytes(rows: Sequence[dict[str, Any]], targets: Sequence[str], fmt: str) -> bytes:
    """Statements in ``fmt`` (csv, jsonl or parquet). JSONL keeps the contract rows unchanged;
    CSV starts with a UTF-8 byte-order mark so that Excel reads it as UTF-8."""
    fmt = fmt.lower()
    if fmt == "jsonl":
        return "".join(jsonl_line(r) for r in rows).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO(newline="")
        statements_csv(rows, targets, buf, bom=True)
        return buf.getvalue().encode("utf-8")
    if fmt == "parquet":
        buf_b = io.BytesIO()
        flat_statements(rows, targets).to_parquet(buf_b, index=False)
        return buf_b.getvalue()
    raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")


def _geo_assets_script(figures: Sequence[go.Figure]) -> str:
    """Inline world outline for figures with a geo subplot (empty string otherwise)."""
    if not any(getattr(tr, "type", "") in ("choropleth", "scattergeo") for f in figures for tr in f.data):
        return ""
    if not TOPOJSON_FILE.exists():
        return ""
    # "</" cannot appear in the JSON of numbers and ids, but escape it anyway for a <script> body.
    data = TOPOJSON_FILE.read_text(encoding="utf-8").replace("</", "<\\/")
    return f"<script>window.PlotlyGeoAssets={{topojson:{{'world_110m':{data}}}}};</script>"


def file_slug(name: str) -> str:
    """A chart or analysis name as a plain file name part ("Stance by actor — a ceasefire" ->
    "stance-by-actor-a-ceasefire"): ASCII letters, digits and hyphens only, at most 80."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-") or "chart"


def chart_html(fig: go.Figure, *, title: str = "Stancemap chart") -> str:
    """A chart as a standalone HTML page that opens offline (plotly.js and map outline embedded)."""
    body = pio.to_html(fig, include_plotlyjs=True, full_html=False, config={"displaylogo": False})
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"{_geo_assets_script([fig])}</head><body>{body}</body></html>")


def report_html(result: AnalysisResult, figures: Sequence[tuple[str, go.Figure]], *,
                share_link: str | None = None) -> str:
    """A whole analysis as one HTML file: summary, charts, statements, article texts (escaped)."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e(result.title or 'Stancemap analysis')}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
        "vertical-align:top}pre{white-space:pre-wrap;background:#f7f7f7;padding:1em}"
        "mark{background:#fff3b0}</style>",
        _geo_assets_script([f for _, f in figures]),
        "</head><body>",
        f"<h1>{e(result.title or 'Stancemap analysis')}</h1>",
        f"<p>Analysis <code>{e(result.analysis_id or '-')}</code>, created {e(result.created or '-')}; "
        f"{len(result.articles)} article(s), {len(result.rows)} statement(s); targets: "
        f"{e(', '.join(result.targets))}; models: sentiment {e(str(result.models.get('sentiment') or '-'))}, "
        f"stance {e(str(result.models.get('stance') or '-'))}.</p>",
    ]
    if share_link:
        parts.append(f"<p>Share link: <a href='{e(share_link, quote=True)}'>{e(share_link)}</a></p>")
    for i, (name, fig) in enumerate(figures):
        parts.append(f"<h2>{e(name)}</h2>")
        parts.append(pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False,
                                 config={"displaylogo": False}))
    parts.append("<h2>Statements</h2><table><tr><th>speaker</th><th>country</th><th>kind</th>"
                 "<th>sentiment</th>" + "".join(f"<th>{e(t)}</th>" for t in result.targets) +
                 "<th>statement</th></tr>")
    for r in result.rows:
        stance = r.get("stance") or {}
        parts.append(
            "<tr>" + "".join(f"<td>{e(str(v or ''))}</td>" for v in (
                r.get("speaker"), r.get("speaker_country"), KIND_NAMES.get(str(r.get("kind")), r.get("kind")),
                (r.get("sentiment") or {}).get("label")))
            + "".join(f"<td>{e(str((stance.get(t) or {}).get('label', '')))}</td>" for t in result.targets)
            + f"<td>{e(r.get('text') or '')}</td></tr>")
    parts.append("</table><h2>Articles</h2>")
    for a in result.articles:
        spans = sorted((int(r["start"]), int(r["end"])) for r in result.rows
                       if r.get("article_id") == a.article_id and r.get("start") is not None)
        parts.append(f"<h3>{e(a.title or a.article_id)}</h3><p>{e(a.source or '')} {e(a.published or '')}</p>")
        parts.append(f"<pre>{highlight_html(a.text, spans)}</pre>")
    parts.append("</body></html>")
    return "".join(parts)


def highlight_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with non-overlapping ``spans`` wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, t in spans:
        s, t = max(s, pos), min(t, len(text))
        if s >= t:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:t])}</mark>")
        pos = t
    out.append(html.escape(text[pos:]))
    return "".join(out)
