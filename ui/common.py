"""UI helpers shared by the pages: cached loading, models, safe text rendering, share links.

Kept outside pages/ so that Streamlit never lists it as a page. Everything that is
not about Streamlit lives in :mod:`analysis`.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from analysis import aggregate as ag
from analysis import store
from analysis.errors import StancemapError
from analysis.labels import CountryEvidence
from analysis.records import MAX_TARGET_CHARS, AnalysisResult
from analysis.sharelink import ViewState, parse_view, share_url, view_to_params

# Session-state keys shared between pages (page-local keys carry the page's prefix).
EDIT_TOKENS = "edit_tokens"          # {analysis_id: edit token} for analyses this session may edit
MODEL_IDS = "model_ids"              # {"sentiment": id, "stance": id} chosen on the Models page
MODEL_OVERRIDE = "model_override"    # (sentiment_model, stance_model) objects injected by tests
LOADED_REVISION = "loaded_revision"  # {analysis_id: revision} loaded by this session's last run
JUST_SAVED = "just_saved"            # analysis id whose edit token is shown once

PAGE_PATHS: dict[str, str] = {"analyze": "pages/analyze.py", "dashboard": "pages/dashboard.py",
                              "statements": "pages/statements.py", "library": "pages/library.py",
                              "models": "pages/models.py"}

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it means user text can
# open no emphasis, link, HTML tag, Streamlit directive (:red[..]), LaTeX ($..$) or heading.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=\"'&%^@;,?/])")


def ensure_app_entry() -> None:
    """Make sure ``app.py`` (page config, navigation, shared state) wraps this page.

    Because the repo has a ``pages/`` folder, Streamlit starts every process in its legacy
    ("v1") multipage mode and only leaves it once some session has run ``st.navigation``. So
    when the very first visitor of a fresh server opens a share link such as ``/dashboard?..``,
    Streamlit runs ``pages/dashboard.py`` directly, without ``app.py``. Each page calls this
    first: in that case it switches the process to ``st.navigation`` mode (what ``app.py``
    would have done) and reruns, which executes ``app.py`` for the same URL. Uses a private
    Streamlit attribute, guarded so that a future Streamlit without it changes nothing.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - Streamlit internals moved
        return
    # Once per session at most: Streamlit's AppTest resets the flag before every run, and a
    # rerun on each of those would swallow the widget events of the run it replaces.
    first = not st.session_state.get("_app_entry_done")
    st.session_state["_app_entry_done"] = True
    if first and getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def md_escape(text: str) -> str:
    """``text`` as inert markdown: every ASCII punctuation backslash-escaped, lines kept."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text or "")
    # Hard line breaks (two spaces) keep the article's lines; blank lines stay paragraphs.
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def db_url() -> str:
    return store.default_db_url()


def version(analysis_id: str) -> str:
    """The saved analysis's revision (:func:`analysis.store.revision`), read from the database on
    every rerun: caches are keyed by it, so an edit or a delete made in any browser is seen by
    every viewer at once, never up to a cache lifetime later. Raises NotFound once deleted."""
    return store.revision(analysis_id, db_url())


# Loaded analyses and their frames are cached with cache_resource, not cache_data: cache_data
# unpickles a fresh copy on every rerun (~15 ms per object for 1,000 statements, several per
# rerun), and pages only ever read them. Whoever needs to change one copies it first.
@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def _load(analysis_id: str, url: str, ver: str, with_rows: bool = True) -> AnalysisResult:
    return store.load_analysis(analysis_id, url, with_rows=with_rows)


def load_result(analysis_id: str, *, with_rows: bool = True) -> AnalysisResult:
    """The saved analysis (cached per id and revision). Raises NotFound, also once deleted.

    ``with_rows=False``: without its statement rows (the dashboard charts :func:`frames` and
    fetches the rows it lists), so a corpus of 300,000 statements opens in seconds."""
    ver = version(analysis_id)
    st.session_state.setdefault(LOADED_REVISION, {})[analysis_id] = ver
    return _load(analysis_id, db_url(), ver, with_rows)


def full_result(result: AnalysisResult) -> AnalysisResult:
    """``result`` with its rows (exports, the report): loaded on demand when it came without."""
    if result.rows_loaded:
        return result
    return _load(str(result.analysis_id), db_url(), loaded_version(str(result.analysis_id)))


def loaded_version(analysis_id: str) -> str:
    """The revision :func:`load_result` loaded in this run, so every cache of one rerun agrees."""
    return st.session_state.get(LOADED_REVISION, {}).get(analysis_id) or version(analysis_id)


@st.cache_resource(max_entries=32, ttl=600, show_spinner=False)
def _frames(analysis_id: str, url: str, ver: str) -> store.AnalysisFrames:
    return store.load_frames(analysis_id, url)


def frames(analysis_id: str) -> store.AnalysisFrames:
    """The analysis's statements, (statement, target) stance and mention-edge frames, cached per
    revision: the base of every aggregate, read from the store's columnar tables."""
    return _frames(analysis_id, db_url(), loaded_version(analysis_id))


# Models this process has loaded: {model id: when}. Module state lives as long as the process.
LOADED: dict[str, str] = {}


# Which models visitors may load. A model id can be any folder or cached hub id, and each pair
# loaded stays in memory, so on a shared server the operator decides: STANCEMAP_MODELS lists
# extra ids ("sentiment=ID" or "stance=ID", comma-separated) visitors may pick besides the
# defaults; STANCEMAP_ALLOW_ANY_MODEL=1 (a single-user machine) lets them type any id. At most
# MAX_LOADED_PAIRS model pairs are held; the least recently used one is dropped.
ALLOWED_MODELS_ENV = "STANCEMAP_MODELS"
ALLOW_ANY_MODEL_ENV = "STANCEMAP_ALLOW_ANY_MODEL"
MAX_LOADED_PAIRS = 3


def allowed_models() -> dict[str, list[str]] | None:
    """{task: ids visitors may choose}, or None when the operator allows any model."""
    if os.environ.get(ALLOW_ANY_MODEL_ENV, "").strip().lower() in ("1", "true", "yes"):
        return None
    from analysis.models import DEFAULT_SENTIMENT_MODEL, DEFAULT_STANCE_MODEL

    out = {"sentiment": [os.environ.get("STANCEMAP_SENTIMENT_MODEL") or DEFAULT_SENTIMENT_MODEL],
           "stance": [os.environ.get("STANCEMAP_STANCE_MODEL") or DEFAULT_STANCE_MODEL]}
    for item in os.environ.get(ALLOWED_MODELS_ENV, "").split(","):
        task, _, model_id = item.partition("=")
        if task.strip() in out and model_id.strip() and model_id.strip() not in out[task.strip()]:
            out[task.strip()].append(model_id.strip())
    return out


@st.cache_resource(show_spinner="Loading models (once per process)...", max_entries=MAX_LOADED_PAIRS)
def _models(sentiment_id: str, stance_id: str) -> tuple[Any, Any]:
    from datetime import UTC, datetime

    from analysis.models import load_sentiment_model, load_stance_model

    pair = load_sentiment_model(sentiment_id), load_stance_model(stance_id)
    # The models (and torch, transformers) live as long as the process: move everything alive now
    # out of the collector's reach, so no full collection during a later rerun walks them again.
    gc.collect()
    gc.freeze()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    LOADED.setdefault(sentiment_id, now)
    LOADED.setdefault(stance_id, now)
    return pair


def load_models(sentiment_id: str, stance_id: str) -> tuple[Any, Any]:
    """Load (or fetch from the process cache) a model pair. Raises ModelUnavailable."""
    return _models(sentiment_id.strip(), stance_id.strip())


def model_ids() -> dict[str, str]:
    from analysis.models import DEFAULT_SENTIMENT_MODEL, DEFAULT_STANCE_MODEL

    # STANCEMAP_SENTIMENT_MODEL / STANCEMAP_STANCE_MODEL choose the app's defaults (an id or folder).
    defaults = {"sentiment": os.environ.get("STANCEMAP_SENTIMENT_MODEL") or DEFAULT_SENTIMENT_MODEL,
                "stance": os.environ.get("STANCEMAP_STANCE_MODEL") or DEFAULT_STANCE_MODEL}
    return dict(st.session_state.get(MODEL_IDS) or defaults)


def get_models() -> tuple[Any, Any]:
    """(sentiment, stance) models: loaded once per process; tests may inject fakes."""
    override = st.session_state.get(MODEL_OVERRIDE)
    if override is not None:
        return override
    ids = model_ids()
    return _models(ids["sentiment"], ids["stance"])


def current_view(default_page: str, targets: Sequence[str], article_ids: Sequence[str],
                 extra_keys: Sequence[str] = ()) -> ViewState:
    """The view state from the URL's query parameters, validated against the analysis."""
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    view = parse_view(params, targets=targets, article_ids=article_ids, default_page=default_page,
                      extra_keys=extra_keys)
    return ViewState(**{**view.__dict__, "page": default_page})


def publish_view(view: ViewState) -> str:
    """Write ``view`` into the URL (so the address bar is the share link); return the link."""
    params = view_to_params(view)
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)
    return share_url(st.context.url or "", view)


def requested_analysis() -> str | None:
    """The ``analysis`` query parameter, if any."""
    return st.query_params.get("analysis") or None


def open_analysis_or_stop(analysis_id: str | None, *, with_rows: bool = True) -> AnalysisResult:
    """Load the analysis the link names, or render a clear "not found" page and stop."""
    if not analysis_id:
        st.info("No analysis is open. Analyze articles on the **Analyze** page or open one from the "
                "**Library**.")
        st.page_link(PAGE_PATHS["analyze"], label="Analyze articles")
        st.page_link(PAGE_PATHS["library"], label="Open the Library")
        st.stop()
    try:
        return load_result(analysis_id, with_rows=with_rows)
    except StancemapError as exc:
        st.header("Analysis not found")
        st.error(md_escape(str(exc)))
        st.page_link(PAGE_PATHS["library"], label="Open the Library")
        st.stop()
        raise  # unreachable: st.stop() raises


def show_share_link(link: str, analysis_id: str) -> None:
    """The share link with a copy control, and (once, to its creator) the edit token."""
    with st.expander("Share this view", expanded=st.session_state.get(JUST_SAVED) == analysis_id):
        st.caption("Anyone with this link sees this analysis with the same page, target and filters. "
                   "It does not carry the edit token.")
        st.code(link, language=None, wrap_lines=True)
        if st.session_state.get(JUST_SAVED) == analysis_id:
            token = st.session_state.get(EDIT_TOKENS, {}).get(analysis_id)
            st.warning("Edit token (shown once; needed to correct, rename or delete this analysis "
                       "from another browser). This session keeps it for you:")
            st.code(token or "", language=None)
            st.session_state[JUST_SAVED] = None


def _add_target(analysis_id: str) -> None:
    """Score the typed target on the saved analysis (stance stage only) and store it."""
    from analysis.pipeline import add_targets

    target = " ".join((st.session_state.get("targets_new") or "").split())
    token = (st.session_state.get("targets_token") or "").strip()
    if not target:
        st.session_state["targets_notice"] = ("error", "Type a target first.")
        return
    try:
        if not store.verify_edit_token(analysis_id, token, db_url()):
            raise StancemapError("Wrong or missing edit token: adding a target changes the analysis for "
                                 "everyone with its link, so it needs the token shown when it was saved.")
        result = store.load_analysis(analysis_id, db_url(), apply_corrections=False)
        _, stance_model = get_models()
        new = add_targets(result, [target], stance_model=stance_model)
        store.save_added_targets(result, new, token, db_url())
    except StancemapError as exc:
        st.session_state["targets_notice"] = ("error", str(exc))
        return
    st.session_state.setdefault(EDIT_TOKENS, {})[analysis_id] = token
    st.session_state["targets_new"] = ""
    st.session_state["targets_notice"] = (
        ("success", f"Scored stance toward “{target}” on every statement; it is the last target tab.")
        if new else ("info", f"“{target}” is already a target of this analysis."))


def _remove_targets(analysis_id: str) -> None:
    """Take the chosen targets out of the saved analysis (their tabs, scores and corrections)."""
    chosen = list(st.session_state.get("targets_remove") or [])
    token = (st.session_state.get("targets_token") or "").strip()
    if not chosen:
        st.session_state["targets_notice"] = ("error", "Choose the targets to remove first.")
        return
    try:
        removed = store.remove_targets(analysis_id, chosen, token, db_url())
    except StancemapError as exc:
        st.session_state["targets_notice"] = ("error", str(exc))
        return
    st.session_state.setdefault(EDIT_TOKENS, {})[analysis_id] = token
    st.session_state["targets_remove"] = []
    st.session_state["targets_notice"] = ("success", "Removed: " + "; ".join(f"“{t}”" for t in removed)
                                          + ". Add a target again at any time; it is scored anew.")


def targets_editor(result: AnalysisResult) -> None:
    """Which targets were proposed, and forms to add a target to the saved analysis or remove one."""
    analysis_id = str(result.analysis_id)
    proposed = [t for t in result.settings.get("proposed_targets") or [] if t in result.targets]
    with st.expander("Targets: add or remove", expanded=False):
        if proposed:
            st.caption(md_escape("No targets were typed, so stance was measured toward the text's main "
                                 "actors and issues: " + "; ".join(proposed) + "."))
        st.caption("A target added here is scored on every statement of this saved analysis "
                   "(only the stance step runs again) and shows for everyone with the link.")
        st.text_input("New target", key="targets_new", max_chars=MAX_TARGET_CHARS, placeholder="e.g. a negotiated peace deal")
        st.text_input("Edit token", key="targets_token", type="password",
                      value=st.session_state.get(EDIT_TOKENS, {}).get(analysis_id, ""))
        st.button("Add target", key="targets_add", on_click=_add_target, args=(analysis_id,))
        if result.targets:
            st.multiselect("Targets to remove", result.targets, key="targets_remove",
                           placeholder="choose targets that are no use")
            st.button("Remove targets", key="targets_remove_run", on_click=_remove_targets, args=(analysis_id,))
        if notice := st.session_state.pop("targets_notice", None):
            getattr(st, notice[0])(md_escape(notice[1]))
    if proposed:
        st.caption(md_escape("Targets proposed from the text (none were typed): " + "; ".join(proposed)
                             + ". Add your own or remove these under “Targets: add or remove”."))


ARTICLE_OPTIONS = 200  # articles a picker lists at once; a bigger corpus is searched by title


def offered_articles(titles: dict[str, str], query_key: str, chosen: Sequence[str]) -> list[str]:
    """The article ids a picker lists. Up to :data:`ARTICLE_OPTIONS` articles, all of them; for a
    corpus, a title search box (widget ``query_key``) narrows them: every title in the box would
    send megabytes to each browser and bury the one wanted. The chosen ones always stay offered."""
    ids = list(titles)
    if len(ids) <= ARTICLE_OPTIONS:
        return ids
    query = st.text_input("Find articles by title", key=query_key, max_chars=200,
                          placeholder=f"{len(ids):,} articles: type part of a title").casefold().strip()
    found = [a for a in ids if query in titles[a].casefold()] if query else ids
    if len(found) > ARTICLE_OPTIONS:
        st.caption(f"{len(found):,} match; the first {ARTICLE_OPTIONS} are listed below." if query else
                   f"The first {ARTICLE_OPTIONS} are listed below; type part of a title to find the others.")
    return list(dict.fromkeys([*(a for a in chosen if a in titles), *found[:ARTICLE_OPTIONS]]))


def render_context(text: str, start: int, end: int, *, width: int = 280) -> None:
    """The sentence ``text[start:end]`` highlighted inside its surrounding article text (inert)."""
    s, e = max(0, int(start)), min(len(text), int(end))
    a = max(0, s - width)
    b = min(len(text), e + width)
    before = ("… " if a > 0 else "") + text[a:s]
    after = text[e:b] + (" …" if b < len(text) else "")
    st.markdown(f"{md_escape(before)}:orange-background[**{md_escape(text[s:e])}**]{md_escape(after)}")


def evidence(ids: Sequence[str], result: AnalysisResult, target: str | None, *, limit: int = 30) -> None:
    """List evidence statements with speaker, kind, scores and the sentence in its article
    (an analysis loaded without rows fetches only the ``limit`` it shows, and their articles)."""
    ids = list(dict.fromkeys(str(i) for i in ids))
    if result.rows_loaded:
        by_id = {str(r.get("statement_id")): r for r in result.rows}
        ids = [i for i in ids if i in by_id]
        texts = {a.article_id: a for a in result.articles}
    else:   # the ids come from the analysis's own frames
        by_id = {str(r.get("statement_id")): r
                 for r in store.load_statement_rows(str(result.analysis_id), ids[:limit], db_url())}
        texts = store.load_articles(str(result.analysis_id), [str(r.get("article_id")) for r in by_id.values()],
                                    db_url())
    st.caption(f"{len(ids)} evidence statement(s)" + (f"; showing the first {limit}" if len(ids) > limit else ""))
    for sid in [i for i in ids[:limit] if i in by_id]:
        r = by_id[sid]
        art = texts.get(r.get("article_id"))
        stance = (r.get("stance") or {}).get(target or "", {}) if target else {}
        sent = r.get("sentiment") or {}
        with st.container(border=True):
            head = [f"**{md_escape(r.get('speaker') or 'unattributed')}**",
                    md_escape(ag.KIND_NAMES.get(r.get("kind") or "", r.get("kind") or ""))]
            if r.get("speaker_country"):
                why = r.get("speaker_country_evidence")
                inferred = " (inferred from the article)" if why == CountryEvidence.ARTICLE_CONTEXT else ""
                head.append(md_escape(ag.country_name(r["speaker_country"]) + inferred))
            if stance:
                conf = max((stance.get("scores") or {}).values() or [0.0])
                head.append(f"stance: **{md_escape(stance.get('label', ''))}** \\({conf:.0%}\\)")
            if sent:
                head.append(f"sentiment: {md_escape(sent.get('label', ''))}")
            st.markdown(" · ".join(head))
            if art is not None and r.get("start") is not None:
                render_context(art.text, int(r["start"]), int(r["end"]))
                st.caption(md_escape(f"{art.title or art.article_id} — {art.source or ''} {art.published or ''}"))
            else:
                st.text(r.get("text") or "")


def selected_keys(event: Any) -> list[str]:
    """Group keys (customdata[0]) of the points selected on a plotly chart."""
    try:
        points = event.selection.points  # type: ignore[union-attr]
    except AttributeError:
        try:
            points = event["selection"]["points"]
        except (KeyError, TypeError):
            return []
    keys = []
    for p in points or []:
        cd = p.get("customdata") if isinstance(p, dict) else None
        if cd:
            keys.append(str(cd[0]) if isinstance(cd, (list, tuple)) else str(cd))
        elif isinstance(p, dict) and p.get("location"):
            keys.append(str(p["location"]))
    return keys
