"""Analyze: paste text, upload files or list URLs; choose stance targets; run; open the dashboard."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import streamlit as st

from analysis import aggregate as ag
from analysis import store
from analysis.errors import StancemapError
from analysis.records import Article, FileError
from ui.common import EDIT_TOKENS, JUST_SAVED, PAGE_PATHS, db_url, ensure_app_entry, get_models, md_escape

ensure_app_entry()

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"
PRESETS: dict[str, list[str]] = {
    "Russia–Ukraine war": ["a ceasefire in Ukraine", "sanctions on Russia", "military aid to Ukraine",
                           "peace talks with Russia"],
    "Climate": ["climate action", "fossil fuels", "a carbon tax"],
    "Trade": ["tariffs on imports", "free trade agreements"],
    "Migration": ["stricter immigration controls", "the right to asylum"],
}
# The browser holds a paste in the page: 10 MB froze a tab at 3 GB. A million characters is a
# 150,000-word text; longer texts go through the upload box (25 MB, read on the server).
MAX_PASTE_CHARS = 1_000_000
LOG = logging.getLogger("stancemap.app")
# One run in the app holds a server core until it ends: by default at most two million characters
# of text (about 400 articles, ~15 minutes on 2 cores; an operator may set
# STANCEMAP_MAX_APP_CHARS). Bigger corpora go through the CLI; the message says so.
MAX_APP_CHARS = int(os.environ.get("STANCEMAP_MAX_APP_CHARS") or 2_000_000)  # targets proposed from the text when the user types none
UPLOAD_TYPES = ["txt", "md", "html", "htm", "pdf", "docx", "csv", "jsonl", "ndjson"]


def _max_bytes() -> int:
    try:
        from analysis.ingest import MAX_INPUT_BYTES
        return int(MAX_INPUT_BYTES)
    except ImportError:  # pragma: no cover - ingest ships with the repo
        return 25 * 1024 * 1024


def _use_example() -> None:
    st.session_state["analyze_text"] = EXAMPLE.read_text(encoding="utf-8")


def _add_preset() -> None:
    preset = st.session_state.get("analyze_preset")
    if preset in PRESETS:
        current = list(st.session_state.get("analyze_targets") or [])
        st.session_state["analyze_targets"] = list(dict.fromkeys(current + PRESETS[preset]))


def _collect() -> tuple[list[Article], list[FileError]]:
    """Articles from every input; a failing input becomes a FileError and the rest go through."""
    from analysis import ingest

    articles: list[Article] = []
    errors: list[FileError] = []
    text = (st.session_state.get("analyze_text") or "").strip()
    if text:
        try:
            articles.append(ingest.article_from_text(text, "pasted"))
        except StancemapError as exc:
            errors.append(FileError("pasted text", str(exc)))
    limit = _max_bytes()
    for up in st.session_state.get("analyze_files") or []:
        size = getattr(up, "size", None)
        if size is not None and size > limit:
            errors.append(FileError(up.name, f"{up.name} is {ingest.megabytes(size)}; the limit is "
                                              f"{ingest.megabytes(limit)} per file. Split it or analyze it "
                                              f"with the CLI."))
            continue
        try:
            articles.extend(ingest.article_from_upload(up.name, up.getvalue()))
        except StancemapError as exc:
            errors.append(FileError(up.name, str(exc)))
    for url in (st.session_state.get("analyze_urls") or "").split():
        try:
            articles.append(ingest.article_from_url(url))
        except StancemapError as exc:
            errors.append(FileError(url, str(exc)))
    # Article ids must be unique within an analysis (statement ids derive from them).
    seen: dict[str, int] = {}
    unique = []
    for a in articles:
        n = seen.get(a.article_id, 0)
        seen[a.article_id] = n + 1
        unique.append(a if n == 0 else Article(**{**a.to_dict(), "article_id": f"{a.article_id}-{n + 1}"}))
    return unique, errors


def _suggest() -> None:
    from analysis.pipeline import suggest_targets

    articles, _ = _collect()
    st.session_state["analyze_suggestions"] = suggest_targets(articles, limit=8) if articles else []
    if not articles:
        st.session_state["analyze_notice"] = "Paste text or add files first; suggestions come from the text."


def _run(articles: list[Article], errors: list[FileError], targets: list[str]) -> None:
    from analysis.pipeline import PROPOSED_TARGETS, analyze, suggest_targets

    proposed: list[str] = []
    if not targets:
        # A first run needs no preparation: stance is measured toward the main actors and issues
        # of the text, which the dashboard names as proposed and where targets can be added.
        targets = proposed = suggest_targets(articles, limit=PROPOSED_TARGETS)

    box = st.container()
    bars: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = box.progress(0.0, text=stage)
        frac = done / total if total else 1.0
        bar.progress(min(1.0, frac), text=f"{stage}: {done}/{total}")  # type: ignore[attr-defined]

    sentiment_model, stance_model = get_models()
    started, finished = time.monotonic(), False
    try:
        result = analyze(articles, targets, sentiment_model=sentiment_model, stance_model=stance_model,
                         progress=progress)
        finished = True
    finally:
        if not finished:
            # Streamlit stops a session's script when its page is closed (or rerun): the run ends
            # at its next progress report instead of holding a core for an hour, and saves nothing.
            LOG.warning("analysis run of %d article(s) stopped after %.1f s, before it finished "
                        "(page closed, rerun or error); nothing saved", len(articles), time.monotonic() - started)
    result.errors = list(errors) + list(result.errors)
    if proposed:
        result.settings = {**result.settings, "proposed_targets": proposed}
    title = (st.session_state.get("analyze_title") or "").strip()
    if title:
        result.title = title
    # The id and edit token are drawn and shown before the save commits, and this session keeps
    # them: if the server dies right after the commit, the token is on the user's screen, and no
    # analysis is left that nobody can edit.
    result.analysis_id, token = store.new_analysis_id(), store.new_edit_token()
    st.session_state[EDIT_TOKENS][result.analysis_id] = token
    box.info(md_escape(f"Saving analysis {result.analysis_id}. Its edit token (needed to rename, correct "
                       f"or delete it from another browser; keep it private): {token}"))
    analysis_id, token = store.save_analysis(result, db_url(), edit_token=token)
    st.session_state[EDIT_TOKENS][analysis_id] = token
    st.session_state[JUST_SAVED] = analysis_id
    params = {"analysis": analysis_id, "page": "dashboard"}
    if result.targets:
        params["target"] = ag.opening_target(ag.stance_frame(result.rows, result.targets), result.targets) or result.targets[0]
    st.switch_page(PAGE_PATHS["dashboard"], query_params=params)


st.title("Analyze articles")
st.caption("Who says what about what: every statement, its speaker and country, its sentiment and "
           "its stance toward the targets you choose. Results are saved and get a share link.")

left, right = st.columns([3, 2], gap="large")
with left:
    st.text_area("Paste article text", key="analyze_text", height=260, max_chars=MAX_PASTE_CHARS,
                 placeholder="Paste one article (title on the first line helps)...",
                 help=f"Up to {MAX_PASTE_CHARS:,} characters (a very long article); upload longer texts as files.")
    if EXAMPLE.exists():
        st.button("Use the example article", on_click=_use_example)
    st.file_uploader(
        f"…or upload files ({', '.join(UPLOAD_TYPES)}; up to {_max_bytes() // (1024 * 1024)} MB each)",
        type=UPLOAD_TYPES, accept_multiple_files=True, key="analyze_files")
    st.text_area("…or article URLs, one per line (needs network access)", key="analyze_urls", height=80)
with right:
    st.subheader("Stance targets")
    st.caption("Stance is measured toward each target: favor, against or none. Type your own "
               "(press Enter), pick a preset or use suggestions from the text. With none, Stancemap "
               "proposes the text's main actors and issues; you can add targets on the dashboard later.")
    st.selectbox("Preset", ["—", *PRESETS], key="analyze_preset", on_change=_add_preset)
    suggestions = st.session_state.get("analyze_suggestions") or []
    options = list(dict.fromkeys(list(st.session_state.get("analyze_targets") or [])
                                 + suggestions + [t for ts in PRESETS.values() for t in ts]))
    st.multiselect("Targets", options, key="analyze_targets", accept_new_options=True,
                   placeholder="e.g. a ceasefire in Ukraine")
    st.button("Suggest targets from the text", on_click=_suggest)
    if notice := st.session_state.pop("analyze_notice", None):
        st.info(md_escape(notice))
    if suggestions:
        st.caption("Suggested: " + "; ".join(suggestions))
    st.text_input("Title (optional)", key="analyze_title", max_chars=store.MAX_TITLE_CHARS)

if st.button("Analyze", type="primary", key="analyze_run"):
    targets = [t.strip() for t in st.session_state.get("analyze_targets") or [] if t.strip()]
    try:
        articles, errors = _collect()
        for err in errors:
            st.warning(md_escape(f"Skipped {err.source}: {err.error}"))
        total_chars = sum(len(a.text) for a in articles)
        if not articles:
            st.error("Nothing to analyze: paste text, upload a file or give a URL.")
        elif total_chars > MAX_APP_CHARS:
            st.error(md_escape(
                f"These inputs hold {total_chars:,} characters of text; one run in the app takes at most "
                f"{MAX_APP_CHARS:,} (about 400 articles). Analyze fewer at a time, or the whole corpus with "
                f"the command line: python -m analysis analyze FILES --db URL (README, 'Command line')."))
        else:
            with st.spinner("Analyzing…"):
                _run(articles, errors, targets)
    except StancemapError as exc:
        st.error(md_escape(str(exc)))
    except ImportError as exc:
        st.error(md_escape(f"The analysis pipeline is not available in this installation ({exc})."))
