"""Models: which models are in use and loaded, their cards and dev metrics; switch models."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.errors import StancemapError
from analysis.models import BUNDLED_TASKS, model_card, read_bundled_meta
from ui.common import (
    ALLOW_ANY_MODEL_ENV,
    ALLOWED_MODELS_ENV,
    LOADED,
    MODEL_IDS,
    MODEL_OVERRIDE,
    allowed_models,
    ensure_app_entry,
    load_models,
    md_escape,
    model_ids,
)

ensure_app_entry()


def _metric_rows(dev: dict, variant: str | None = None) -> list[dict]:
    """Flatten dev metrics: {set: {n, macro_f1, ...}} or {variant: {set: {...}}} (fp32 / int8)."""
    rows: list[dict] = []
    for name, r in dev.items():
        if not isinstance(r, dict):
            continue
        if "macro_f1" not in r:
            rows += _metric_rows(r, variant=name)
            continue
        rows.append({**({"runtime": variant} if variant else {}), "dev set": name, "n": r.get("n"),
                     "macro-F1": r.get("macro_f1"), "F_avg": r.get("f_avg"), "accuracy": r.get("accuracy"),
                     **{f"F1 {k}": v for k, v in (r.get("f1") or {}).items()}})
    return rows


st.title("Models")
ids = model_ids()
if st.session_state.get(MODEL_OVERRIDE) is not None:
    st.info("This session uses models injected by a test harness.")

c1, c2 = st.columns(2)
for col, task in zip((c1, c2), ("sentiment", "stance"), strict=True):
    with col:
        st.metric(f"{task.title()} model", ids[task])
        st.caption(f"Loaded in this process since {LOADED[ids[task]]}" if ids[task] in LOADED
                   else "Not loaded yet in this process (loads on the first analysis).")

st.subheader("Use another model")
allowed = allowed_models()
if allowed is None:
    st.caption("A bundled id (bundled:sentiment, bundled:stance), a Hugging Face hub id already in the "
               "local cache, or a local folder with config.json, weights and tokenizer. Stance also "
               "accepts NLI models (labels include entailment), used zero-shot. The choice applies to "
               "this browser session; models load once per process. (Any model may be named because "
               f"the operator set {ALLOW_ANY_MODEL_ENV}=1.)")
else:
    st.caption("The models this server's operator has made available (the operator lists more in "
               f"{ALLOWED_MODELS_ENV}). The choice applies to this browser session; models load once "
               "per process.")
with st.form("models_switch"):
    if allowed is None:
        sent_id = st.text_input("Sentiment model", value=ids["sentiment"])
        stance_id = st.text_input("Stance model", value=ids["stance"])
    else:
        sent_id = st.selectbox("Sentiment model", allowed["sentiment"],
                               index=allowed["sentiment"].index(ids["sentiment"]) if ids["sentiment"] in allowed["sentiment"] else 0)
        stance_id = st.selectbox("Stance model", allowed["stance"],
                                 index=allowed["stance"].index(ids["stance"]) if ids["stance"] in allowed["stance"] else 0)
    submitted = st.form_submit_button("Load and use")
if submitted:
    try:
        if allowed is not None and (sent_id not in allowed["sentiment"] or stance_id not in allowed["stance"]):
            raise StancemapError("That model is not among the ones this server offers.")
        with st.spinner("Loading…"):
            load_models(sent_id, stance_id)
    except StancemapError as exc:
        st.error(md_escape(str(exc)))
    else:
        st.session_state[MODEL_IDS] = {"sentiment": sent_id.strip(), "stance": stance_id.strip()}
        st.success(md_escape(f"Now using {sent_id.strip()} and {stance_id.strip()}."))

st.subheader("Bundled model cards")
tabs = st.tabs([t.title() for t in BUNDLED_TASKS])
for tab, task in zip(tabs, BUNDLED_TASKS, strict=True):
    with tab:
        try:
            meta = read_bundled_meta(task)
        except StancemapError as exc:
            st.warning(md_escape(str(exc)))
            continue
        dev = meta.get("dev_metrics") or {}
        if dev:
            st.markdown("**Dev metrics** (held-out data; see the card for what each set is)")
            st.dataframe(pd.DataFrame(_metric_rows(dev)), hide_index=True)
        else:
            st.caption("No dev metrics recorded in stancemap.json yet.")
        with st.expander("Model card", expanded=True):
            st.markdown(model_card(task))  # our own committed card, not user text
        with st.expander("Raw metadata (stancemap.json)"):
            st.json(meta, expanded=False)
