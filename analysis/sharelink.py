"""Share links: the view state (page, analysis, target, filters) <-> URL query parameters.

A share link is the app URL with ``?analysis=<id>`` plus the view state, e.g.::

    http://host:8501/dashboard?analysis=Q2x...&page=dashboard&target=a+ceasefire&kind=direct_quote&min=2

Lists are repeated keys (``kind=direct_quote&kind=indirect_quote``), so values may contain
commas. Everything read from a URL is untrusted: :func:`parse_view` keeps only known pages,
targets and article ids of the analysis, known kinds / speaker types and a bounded minimum,
and drops the rest (a stale or hand-edited link still opens, showing the nearest valid view).
The edit token is never part of a view and therefore never part of a link.

>>> v = ViewState(page="dashboard", analysis="A" * 22, target="peace", kinds=("direct_quote",))
>>> params = view_to_params(v)
>>> parse_view(params, targets=["peace"], article_ids=[]) == v
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from .aggregate import KINDS
from .labels import ActorType

PAGES: tuple[str, ...] = ("analyze", "dashboard", "statements", "library", "models")
SPEAKER_TYPES: tuple[str, ...] = tuple(t.value for t in ActorType) + ("unattributed",)
MAX_MIN_STATEMENTS = 1000
# Bars and map countries need at least two statements that take a side on the target by default:
# one statement's interval spans most of [-1, 1]. Fewer fold into "Others" (the link says min=1
# to show every actor on its own).
DEFAULT_MIN_STATEMENTS = 2
MAX_PARAM_CHARS = 500
# Dashboard charts whose selected bar / country / cell a link can carry as ``focus=<chart>:<key>``
# (the key is the group: a speaker, an ISO-3 code, "speaker|target", "source|target", an outlet).
FOCUS_CHARTS: tuple[str, ...] = ("actor", "map", "country", "cell", "sentiment", "network", "outlets")
# The dashboard's sections (tabs; only the open one is drawn): the first is the default.
SECTIONS: tuple[str, ...] = ("stance", "matrix", "mentions", "time")


@dataclass(frozen=True)
class ViewState:
    """What a share link reproduces. Empty tuples mean "no filter"."""

    page: str = "dashboard"
    analysis: str | None = None
    target: str | None = None
    articles: tuple[str, ...] = ()
    speaker_types: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    min_n: int = 2  # DEFAULT_MIN_STATEMENTS
    section: str = SECTIONS[0]
    focus: str | None = None  # "<chart>:<key>": the selection whose evidence the page lists
    extra: tuple[tuple[str, str], ...] = field(default=())  # page-specific (e.g. selected speaker)


def view_to_params(view: ViewState) -> dict[str, str | list[str]]:
    """Query parameters for ``view``; defaults are left out to keep links short."""
    params: dict[str, str | list[str]] = {}
    if view.analysis:
        params["analysis"] = view.analysis
    params["page"] = view.page
    if view.target:
        params["target"] = view.target
    if view.articles:
        params["article"] = list(view.articles)
    if view.speaker_types:
        params["type"] = list(view.speaker_types)
    if view.kinds:
        params["kind"] = list(view.kinds)
    if view.min_n != DEFAULT_MIN_STATEMENTS:
        params["min"] = str(view.min_n)
    if view.section != SECTIONS[0]:
        params["section"] = view.section
    if view.focus:
        params["focus"] = view.focus
    for k, v in view.extra:
        params[k] = v
    return params


def _values(params: Mapping[str, object], key: str) -> list[str]:
    raw = params.get(key)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, Iterable) else [raw]
    return [str(x)[:MAX_PARAM_CHARS] for x in items]


def _first(params: Mapping[str, object], key: str) -> str | None:
    vals = _values(params, key)
    return vals[-1] if vals else None


def parse_view(
    params: Mapping[str, object],
    *,
    targets: Sequence[str],
    article_ids: Sequence[str],
    default_page: str = "dashboard",
    extra_keys: Sequence[str] = (),
) -> ViewState:
    """Validate query parameters (str or list of str values) against an analysis.

    The analysis id is passed through untouched (the store decides whether it exists and
    shows "not found"); everything else that is unknown is dropped.
    """
    page = (_first(params, "page") or default_page).lower()
    if page not in PAGES:
        page = default_page
    target = _first(params, "target")
    if target not in targets:
        target = targets[0] if targets else None
    ids = set(article_ids)
    articles = tuple(dict.fromkeys(a for a in _values(params, "article") if a in ids))
    types = tuple(dict.fromkeys(t for t in _values(params, "type") if t in SPEAKER_TYPES))
    kinds = tuple(dict.fromkeys(k for k in _values(params, "kind") if k in KINDS))
    try:
        min_n = int(_first(params, "min") or DEFAULT_MIN_STATEMENTS)
    except ValueError:
        min_n = DEFAULT_MIN_STATEMENTS
    min_n = max(1, min(MAX_MIN_STATEMENTS, min_n))
    section = _first(params, "section")
    if section not in SECTIONS:
        section = SECTIONS[0]
    focus = _first(params, "focus")
    chart, _, key = (focus or "").partition(":")
    if chart not in FOCUS_CHARTS or not key.strip():
        focus = None  # the page checks the key against its data: a stale one shows nothing
    extra = tuple((k, v) for k in extra_keys if (v := _first(params, k)) is not None)
    return ViewState(page=page, analysis=_first(params, "analysis"), target=target, articles=articles,
                     speaker_types=types, kinds=kinds, min_n=min_n, section=section, focus=focus, extra=extra)


def share_url(base_url: str, view: ViewState) -> str:
    """Absolute share link: ``base_url``'s origin + ``/<page>`` + the view's query string.

    ``base_url`` is the address the browser shows (any path and query in it are replaced).

    >>> share_url("http://localhost:8501/analyze?x=1", ViewState(analysis="A" * 22))
    'http://localhost:8501/dashboard?analysis=AAAAAAAAAAAAAAAAAAAAAA&page=dashboard'
    """
    parts = urlsplit(base_url or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{origin}/{view.page}?{urlencode(view_to_params(view), doseq=True)}"
