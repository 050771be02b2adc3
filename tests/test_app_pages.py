"""One AppTest per page (plus the not-found and XSS cases), with fake models injected.

The database is a fresh SQLite file per test (``STANCEMAP_DB``); analyses are saved with
``analysis.store`` directly, so these tests need neither the pipeline nor trained weights —
except the Analyze run, which skips until ``analysis.pipeline`` exists.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis import store
from analysis.models import Score
from analysis.records import Article

APP = str(Path(__file__).resolve().parents[1] / "app.py")
XSS = ('<script>alert(1)</script> Tajani said "**bold** <img src=x onerror=alert(2)> '
       '[click](javascript:alert(3)) :red[red] $x^2$ <b>tag</b>" about a ceasefire in Ukraine.')


class FakeSentiment:
    """Keyword sentiment with the model interface (``score``, ``model_id``)."""

    model_id = "fake:sentiment"

    def score(self, texts, spans=None, batch_size=32, progress=None):
        out = []
        for t in texts:
            label = "negative" if any(w in t.lower() for w in ("angry", "not", "never", "bomb")) else \
                "positive" if any(w in t.lower() for w in ("good", "peace", "optimism")) else "neutral"
            out.append(Score(label, {k: (0.8 if k == label else 0.1) for k in ("negative", "neutral", "positive")}))
        if progress:
            progress(len(texts), len(texts))
        return out


class FakeStance:
    model_id = "fake:stance"

    def score(self, texts, targets, contexts=None, batch_size=32, progress=None):
        out = []
        for t in texts:
            low = t.lower()
            label = "against" if "not" in low else "favor" if "deal" in low or "peace" in low else "none"
            out.append(Score(label, {k: (0.8 if k == label else 0.1) for k in ("favor", "against", "none")}))
        if progress:
            progress(len(texts), len(texts))
        return out


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("STANCEMAP_DB", url)
    return url


def open_page(page_script: str, /, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["model_override"] = (FakeSentiment(), FakeStance())
    for k, v in params.items():
        at.query_params[k] = v
    if page_script != "analyze":
        at.switch_page(f"pages/{page_script}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter of the app's URL as a list (AppTest keeps str or list)."""
    v = at.query_params.get(key)
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in at.get(kind))


def test_dashboard_shows_figures_charts_and_share_link(db, result):
    analysis_id, token = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id, target="sanctions on Russia", kind="indirect_quote")
    assert at.title[0].value == "Talks on Ukraine"
    # the headline counts what the kind filter keeps: 6 of the 9 statements are indirect speech
    assert [m.value for m in at.metric] == ["2", "6 of 9", "4", "4"]
    charts = at.get("plotly_chart")
    assert len(charts) == 3   # the Stance section, open target: by actor, map, ranked countries
    assert any('"choropleth"' in c.proto.spec for c in charts)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Statements as CSV", "Statements as JSONL", "Statements as PARQUET",
                      "Chart as standalone HTML", "Whole analysis as an HTML report"]
    assert all('"topojsonURL": "app/static/"' in c.proto.config or '"topojsonURL":"app/static/"' in c.proto.config
               for c in charts)
    # the view from the link is restored into the widgets ...
    assert {t.label for t in at.tabs} == {"Stance by actor and country", "Actor × target", "Sentiment and mentions",
                                          "Over time and by outlet", "a ceasefire in Ukraine", "sanctions on Russia"}
    assert at.session_state["dashboard_target"] == "sanctions on Russia"   # the open tab
    assert at.sidebar.multiselect(key="dashboard_kinds").value == ["indirect_quote"]
    link = texts(at, "code")
    assert f"analysis={analysis_id}" in link and "kind=indirect_quote" in link and token not in link
    # ... and a filter change goes back into the URL (the address bar is the share link)
    at.sidebar.number_input(key="dashboard_min").set_value(3).run()
    assert qp(at, "min") == ["3"] and qp(at, "analysis") == [analysis_id]
    # switching the target tab goes into the link too and draws that target's charts
    at.session_state["dashboard_target"] = "a ceasefire in Ukraine"
    at.run()
    assert qp(at, "target") == ["a ceasefire in Ukraine"] and qp(at, "min") == ["3"]
    assert "target=a+ceasefire+in+Ukraine" in texts(at, "code")
    assert len([c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]) == 1
    # the other sections, one at a time, each into the link; the target stays as it was
    for section, label, chart_type in (("matrix", "Actor × target", '"heatmap"'),
                                       ("mentions", "Sentiment and mentions", '"scatter"'),
                                       ("time", "Over time and by outlet", '"scatter"')):
        at.session_state["dashboard_section"] = label
        at.run()
        specs = [c.proto.spec for c in at.get("plotly_chart")]
        assert specs and all('"choropleth"' not in sp for sp in specs) and any(chart_type in sp for sp in specs)
        assert qp(at, "section") == [section] and qp(at, "target") == ["a ceasefire in Ukraine"]
    at.session_state["dashboard_section"] = "Stance by actor and country"
    at.run()
    assert qp(at, "section") == [] and qp(at, "target") == ["a ceasefire in Ukraine"]
    assert at.session_state["dashboard_target"] == "a ceasefire in Ukraine"


@pytest.mark.parametrize("bad", ["nope", "x" * 22, "../../etc/passwd", "<script>alert(1)</script>"])
def test_unknown_or_malformed_id_gives_not_found(db, bad):
    for page in ("dashboard", "statements"):
        at = open_page(page, analysis=bad)
        assert at.header[0].value == "Analysis not found"
        assert "No analysis" in at.error[0].value
        assert not at.get("plotly_chart")


def test_dashboard_without_analysis_points_to_analyze(db):
    at = open_page("dashboard")
    assert "No analysis is open" in at.info[0].value


def test_statements_table_reader_and_xss_is_inert(db, result):
    result.articles.append(Article(article_id="xss", text=XSS, title="<script>alert('t')</script>"))
    start = XSS.index("Tajani")
    result.rows.append({**result.rows[1], "article_id": "xss", "statement_id": "xss:0", "start": start,
                        "end": len(XSS), "text": XSS[start:]})
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("statements", analysis=analysis_id)
    table = at.dataframe[0].value
    assert len(table) == 10 and "stance: a ceasefire in Ukraine" in table.columns
    at.selectbox(key="statements_article").set_value("xss").run()
    md = texts(at, "markdown")
    assert r"\<script\>alert\(1\)\<\/script\>" in md      # every markup character escaped
    assert r"\*\*bold\*\*" in md and r"\:red\[red\]" in md and r"\$x\^2\$" in md
    assert not re.search(r"(?<!\\)<", md)                       # no "<" left unescaped


def test_statements_correction_reaggregates(db, result):
    analysis_id, token = store.save_analysis(result, db)
    at = open_page("statements", analysis=analysis_id)
    at.selectbox(key="statements_fix_id").set_value("a0-rome:3")
    at.radio(key="statements_fix_field").set_value("speaker")
    at.run()
    at.selectbox(key="statements_fix_speaker").set_value("Antonio Tajani")
    at.text_input(key="statements_fix_token").input("wrong")
    at.button(key="statements_fix_save").click().run()
    assert "edit token" in at.error[0].value
    at.text_input(key="statements_fix_token").input(token)
    at.button(key="statements_fix_save").click().run()
    assert not at.exception and "Saved the correction" in at.success[0].value
    rows = {r["statement_id"]: r for r in store.load_analysis(analysis_id, db).rows}
    assert rows["a0-rome:3"]["speaker"] == "Antonio Tajani"
    speakers = at.dataframe[0].value.set_index("statement")["speaker"]
    assert speakers["a0-rome:3"] == "Antonio Tajani"


def test_stance_correction_shows_the_current_label_and_can_be_undone(db, result):
    analysis_id, token = store.save_analysis(result, db)
    at = open_page("statements", analysis=analysis_id)
    # The picker's labels hold the whole statement: words from its end find it.
    [option] = [o for o in at.selectbox(key="statements_fix_id").options if "late into the night" in o]
    at.selectbox(key="statements_fix_id").set_value("a0-talks:1")
    at.radio(key="statements_fix_field").set_value("stance").run()
    assert "Now: favor (model, 80% sure)" in texts(at, "caption").replace("\\", "")
    at.radio(key="statements_fix_label_a0-talks:1_a ceasefire in Ukraine").set_value("against")
    at.text_input(key="statements_fix_token").input(token)
    at.button(key="statements_fix_save").click().run()
    assert not at.exception and "Saved the correction" in at.success[0].value
    fixed = {r["statement_id"]: r for r in store.load_analysis(analysis_id, db).rows}["a0-talks:1"]
    assert fixed["stance"]["a ceasefire in Ukraine"]["label"] == "against"
    assert "Now: against (corrected; the model said favor)" in texts(at, "caption").replace("\\", "")
    at.button(key="statements_undo").click().run()
    assert not at.exception and "Undid" in at.success[0].value
    back = {r["statement_id"]: r for r in store.load_analysis(analysis_id, db).rows}["a0-talks:1"]
    assert back["stance"]["a ceasefire in Ukraine"]["label"] == "favor" and "corrected" not in back


def test_library_lists_renames_and_deletes_with_token(db, result, make_result):
    analysis_id, token = store.save_analysis(result, db)
    store.save_analysis(make_result(title="Second"), db)
    at = open_page("library")
    table = at.dataframe[0].value
    assert set(table["title"]) == {"Talks on Ukraine", "Second"} and set(table["statements"]) == {9}
    at.selectbox(key="library_pick").set_value(analysis_id).run()
    form = at.get("form")[0]
    form.text_input[0].input("bad-token")
    form.text_input[1].input("Renamed")
    form.button[0].click().run()
    assert "edit token" in at.error[0].value
    at.get("form")[0].text_input[0].input(token)
    at.get("form")[0].button[0].click().run()
    assert "Renamed" in at.success[0].value
    assert store.load_analysis(analysis_id, db).title == "Renamed"
    at.get("form")[0].text_input[0].input(token)
    at.get("form")[0].button[1].click().run()
    assert "Tick the confirmation" in at.error[0].value
    at.get("form")[0].text_input[0].input(token)
    at.get("form")[0].checkbox[0].check()
    at.get("form")[0].button[1].click().run()
    assert [e["title"] for e in store.list_analyses(db)] == ["Second"]


def test_library_empty(db):
    at = open_page("library")
    assert "No saved analyses yet" in at.info[0].value


def test_models_page_visitors_choose_only_what_the_operator_offers(db, monkeypatch):
    monkeypatch.delenv("STANCEMAP_ALLOW_ANY_MODEL", raising=False)
    monkeypatch.setenv("STANCEMAP_MODELS", "stance=/srv/models/stance-v2, bogus=/x")
    at = open_page("models")
    assert at.title[0].value == "Models"
    assert [m.value for m in at.metric] == ["bundled:sentiment", "bundled:stance"]
    form = at.get("form")[0]
    assert not form.text_input  # no free-text model path for a visitor
    assert list(form.selectbox[0].options) == ["bundled:sentiment"]
    assert list(form.selectbox[1].options) == ["bundled:stance", "/srv/models/stance-v2"]


def test_models_page_any_model_when_the_operator_allows_it_and_bad_model_error(db, monkeypatch):
    monkeypatch.setenv("STANCEMAP_ALLOW_ANY_MODEL", "1")
    at = open_page("models")
    form = at.get("form")[0]
    form.text_input[0].input("/no/such/model/folder")
    form.button[0].click().run()
    assert not at.exception and at.error and "Could not load model" in at.error[0].value


def test_analyze_page_requires_input(db):
    at = open_page("analyze")
    at.button(key="analyze_run").click().run()
    assert "Nothing to analyze" in at.error[0].value
    assert store.list_analyses(db) == []


FIRST_RUN_TEXT = ("Peace talks resume in Geneva\n\n"
                  "Donald Trump said the talks on security guarantees went well. "
                  "\"We will not give up our land,\" Volodymyr Zelensky said. "
                  "Vladimir Putin said security guarantees for Kyiv were unacceptable. "
                  "Trump said he would meet Putin soon.")


@pytest.mark.skipif(importlib.util.find_spec("analysis.pipeline") is None, reason="analysis.pipeline not built yet")
def test_first_run_without_targets_proposes_them_and_a_target_added_later_is_scored(db):
    at = open_page("analyze")
    at.text_area(key="analyze_text").input(FIRST_RUN_TEXT)
    at.button(key="analyze_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [entry] = store.list_analyses(db)
    saved = store.load_analysis(entry["analysis_id"], db)
    # The main actors and the issue they argue about, as proposed targets, scored and named.
    assert saved.targets[:2] == ["Donald Trump", "Vladimir Putin"]
    assert "security guarantees" in saved.targets
    assert saved.settings["proposed_targets"] == saved.targets
    assert all(set(r["stance"]) == set(saved.targets) for r in saved.rows)
    assert "Targets proposed from the text" in texts(at, "caption") and at.get("plotly_chart")

    # Later, on the dashboard: add a target; only the stance step runs, on the saved analysis.
    at.text_input(key="targets_new").input("a negotiated peace deal")
    at.button(key="targets_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Scored stance toward" in at.success[0].value
    after = store.load_analysis(entry["analysis_id"], db)
    assert after.targets == [*saved.targets, "a negotiated peace deal"]
    by_id = {r["statement_id"]: r for r in after.rows}
    # FakeStance: "not" -> against; the new target's labels are real scores, the old ones kept.
    zelensky = next(r for r in after.rows if "give up our land" in r["text"])
    assert by_id[zelensky["statement_id"]]["stance"]["a negotiated peace deal"]["label"] == "against"
    assert [r["stance"][t] for r in after.rows for t in saved.targets] == \
        [r["stance"][t] for r in saved.rows for t in saved.targets]
    assert "a negotiated peace deal" in [t.label for t in at.tabs]


def test_a_target_removed_leaves_its_tab_scores_and_corrections(db, result):
    analysis_id, token = store.save_analysis(result, db)
    [first, *rest] = result.targets
    sid = result.rows[0]["statement_id"]
    store.save_correction(analysis_id, sid, "stance", {"target": first, "label": "favor"}, token, db)
    at = open_page("dashboard", analysis=analysis_id)
    at.multiselect(key="targets_remove").set_value([first])
    at.text_input(key="targets_token").input(token)
    at.button(key="targets_remove_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Removed" in at.success[0].value
    after = store.load_analysis(analysis_id, db)
    assert after.targets == rest
    assert all(first not in (r.get("stance") or {}) for r in after.rows)
    assert first not in [t.label for t in at.tabs]
    # Without the token nothing changes.
    at = open_page("dashboard", analysis=analysis_id)
    at.multiselect(key="targets_remove").set_value(rest[:1])
    at.text_input(key="targets_token").input("not-the-token")
    at.button(key="targets_remove_run").click().run()
    assert "edit token" in at.error[0].value and store.load_analysis(analysis_id, db).targets == rest


def test_adding_a_target_needs_the_edit_token(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id)
    at.text_input(key="targets_new").input("sanctions on Russia")
    at.text_input(key="targets_token").input("not-the-token")
    at.button(key="targets_add").click().run()
    assert "edit token" in at.error[0].value
    assert store.load_analysis(analysis_id, db).targets == result.targets


def test_page_parameter_is_case_insensitive(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("analyze", analysis=analysis_id, page="DASHBOARD")
    assert at.title[0].value == "Talks on Ukraine" and at.get("plotly_chart")


def test_a_target_longer_than_the_limit_is_refused_with_a_message(db):
    at = open_page("analyze")
    at.text_area(key="analyze_text").input(FIRST_RUN_TEXT)
    at.multiselect(key="analyze_targets").set_value(["x" * 201])
    at.button(key="analyze_run").click().run()
    assert not at.exception and "at most 200 are allowed" in at.error[0].value
    assert store.list_analyses(db) == []


def test_bare_analysis_link_opens_its_dashboard(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("analyze", analysis=analysis_id)
    assert at.title[0].value == "Talks on Ukraine" and at.get("plotly_chart")


def test_a_bare_link_opens_on_a_target_with_sides_not_on_empty_charts(db, result):
    """A first run's proposed targets can start with a name nobody argues about: the bare link
    opens on the first target some statement takes a side on, and the link says which."""
    from dataclasses import replace

    quiet = replace(result, targets=["Donald Trump", *result.targets], rows=[
        {**r, "stance": {"Donald Trump": {"label": "none", "scores": {"favor": 0.1, "against": 0.1, "none": 0.8}},
                         **r["stance"]}} for r in result.rows])
    analysis_id, _ = store.save_analysis(quiet, db)
    at = open_page("dashboard", analysis=analysis_id)
    assert at.session_state["dashboard_target"] == "a ceasefire in Ukraine"
    assert qp(at, "target") == ["a ceasefire in Ukraine"]
    assert any('"choropleth"' in c.proto.spec for c in at.get("plotly_chart"))
    # a link that names the quiet target still opens on it
    at = open_page("dashboard", analysis=analysis_id, target="Donald Trump")
    assert at.session_state["dashboard_target"] == "Donald Trump"


def test_an_edit_or_delete_in_one_browser_shows_at_once_in_another(db, result):
    analysis_id, token = store.save_analysis(result, db)
    viewer = open_page("dashboard", analysis=analysis_id)
    assert viewer.title[0].value == "Talks on Ukraine"
    store.rename_analysis(analysis_id, "Renamed elsewhere", token, db)
    viewer.run()
    assert viewer.title[0].value == "Renamed elsewhere"
    store.delete_analysis(analysis_id, token, db)
    viewer.run()
    assert not viewer.exception and viewer.get("plotly_chart") == []
    assert "Analysis not found" in viewer.header[0].value


@pytest.mark.skipif(importlib.util.find_spec("analysis.pipeline") is None, reason="analysis.pipeline not built yet")
def test_analyze_run_saves_and_opens_dashboard(db):
    at = open_page("analyze")
    at.text_area(key="analyze_text").input(
        "Peace talks resume\n\nTrump said the peace deal was good. \"We will not accept this,\" Zelensky said.")
    at.multiselect(key="analyze_targets").set_value(["a peace deal"])
    at.button(key="analyze_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [entry] = store.list_analyses(db)
    assert qp(at, "analysis") == [entry["analysis_id"]]
    assert at.session_state["edit_tokens"][entry["analysis_id"]]
    assert at.get("plotly_chart")


def test_a_save_cut_off_after_its_commit_leaves_the_edit_token_with_its_browser(db, monkeypatch):
    """Issue 11: the app killed right after the save commits left analyses nobody could edit. The
    token is drawn, shown and kept by the session before the save, so it survives the cut."""
    real_save = store.save_analysis

    def commit_then_die(result, url, **kwargs):
        real_save(result, url, **kwargs)
        raise RuntimeError("server killed right after the commit")

    monkeypatch.setattr(store, "save_analysis", commit_then_die)
    at = open_page("analyze")
    at.text_area(key="analyze_text").input("Peace talks resume\n\nTrump said the peace deal was good.")
    at.multiselect(key="analyze_targets").set_value(["a peace deal"])
    at.button(key="analyze_run").click().run()
    [entry] = store.list_analyses(db)
    token = at.session_state["edit_tokens"][entry["analysis_id"]]
    assert token in texts(at, "info").replace("\\", "")   # on the user's screen too (markdown-escaped)
    store.rename_analysis(entry["analysis_id"], "Still mine", token, db)
    assert store.list_analyses(db)[0]["title"] == "Still mine"


def test_private_library_hides_other_analyses(db, result, make_result, monkeypatch):
    mine, _ = store.save_analysis(result, db)
    store.save_analysis(make_result(title="Someone else's"), db)
    monkeypatch.setenv("STANCEMAP_LIBRARY", "private")
    at = open_page("dashboard", analysis=mine)   # opening a link puts it in this session's library
    at.switch_page("pages/library.py").run()
    assert list(at.dataframe[0].value["title"]) == ["Talks on Ukraine"]


def test_dashboard_evidence_lists_the_sentence_in_its_article(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    # min=1: every actor on its own (by default one statement is too little for a cell of its own)
    at = open_page("dashboard", analysis=analysis_id, section="matrix", min="1")
    at.selectbox(key="dashboard_cell").set_value("Kremlin|a ceasefire in Ukraine").run()
    md = texts(at, "markdown")
    assert "1 evidence statement" in texts(at, "caption")
    # the sentence is highlighted inside its article context (escaped markdown)
    assert r":orange-background[**The Kremlin said there are no plans for talks\.**]" in md
    assert r"Putin avoids Zelensky\, Trump claimed\." in md


def test_root_link_with_page_parameter_opens_that_page(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("analyze", analysis=analysis_id, page="dashboard")
    assert at.title[0].value == "Talks on Ukraine" and at.get("plotly_chart")


def test_cell_selection_goes_into_the_link_and_the_link_lists_its_evidence(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id, section="matrix", min="1")
    at.selectbox(key="dashboard_cell").set_value("Kremlin|a ceasefire in Ukraine").run()
    assert qp(at, "focus") == ["cell:Kremlin|a ceasefire in Ukraine"]
    link = texts(at, "code")
    assert "section=matrix" in link and "focus=cell%3AKremlin%7Ca+ceasefire+in+Ukraine" in link
    # a colleague opening that link, in a fresh session, sees the same evidence listed
    other = open_page("dashboard", analysis=analysis_id, section="matrix", min="1",
                      focus="cell:Kremlin|a ceasefire in Ukraine")
    assert "1 evidence statement" in texts(other, "caption")
    assert r"The Kremlin said there are no plans for talks\." in texts(other, "markdown")


def test_linked_actor_focus_follows_the_open_target_and_stale_focus_is_harmless(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id, target="sanctions on Russia", focus="actor:Donald Trump",
                   min="1")
    md = texts(at, "markdown")
    assert r"**Evidence for** Donald Trump" in md
    # The evidence is the statements his number is made of: the one taking a side on sanctions.
    sided = [r for r in result.rows if r["speaker"] == "Donald Trump"
             and r["stance"]["sanctions on Russia"]["label"] != "none"]
    assert len(sided) == 1 and "1 evidence statement(s)" in texts(at, "caption")
    assert r"Trump said sanctions were not needed\." in texts(at, "markdown")
    assert qp(at, "focus") == ["actor:Donald Trump"] and qp(at, "target") == ["sanctions on Russia"]
    # an actor the filters (or a correction) removed, or a forged key: nothing listed, no error
    for focus in ("actor:Nobody", "map:<script>", "cell:Kremlin"):
        at = open_page("dashboard", analysis=analysis_id, focus=focus)
        assert "Evidence for" not in texts(at, "markdown") and not at.exception


def test_dashboard_lists_duplicates_counted_once(db, result):
    result.settings["duplicates"] = [{"kept": "a0-talks", "copies": [
        {"article_id": "copy-1", "source": "Local Herald", "title": None, "published": None, "url": None,
         "similarity": 0.93}]}]
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id)
    assert [e.label for e in at.expander if "duplicate" in e.label] == [
        "1 duplicate article(s) analysed and counted once"]
    assert "also published by\\: Local Herald \\(93\\% the same\\)" in texts(at, "markdown")


def test_an_input_too_big_for_one_app_run_is_refused_with_the_way_forward(db, monkeypatch):
    monkeypatch.setenv("STANCEMAP_MAX_APP_CHARS", "100000")
    at = open_page("analyze")
    at.text_area(key="analyze_text").input("Trump said the talks went well. " * 4_000)  # 128,000 characters
    at.button(key="analyze_run").click().run()
    message = at.error[0].value.replace("\\", "")
    assert not at.exception and "at most 100,000" in message and "python -m analysis analyze" in message
    assert store.list_analyses(db) == []


def test_the_network_has_a_table_of_its_links(db, result):
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id, section="mentions")
    [table] = [d.value for d in at.dataframe if "mentions" in d.value.columns]
    trump = table[(table["speaker"] == "Donald Trump") & (table["mentions"] == "Vladimir Putin")]
    assert int(trump["statements"].iloc[0]) == 2


def test_dashboard_corrects_label_shares_with_the_saved_confusion_matrix(db, result):
    result.settings["stance_confusion"] = {"labels": ["favor", "against", "none"],
                                           "counts": [[60, 10, 30], [10, 60, 30], [5, 5, 90]]}
    analysis_id, _ = store.save_analysis(result, db)
    at = open_page("dashboard", analysis=analysis_id)
    [table] = [d.value for d in at.dataframe if "% corrected" in d.value.columns]
    row = table.set_index("label")
    # 3 of 8 labelled favor; a model that sends 30% of true favor to "none" means more favor.
    assert row.loc["favor", "% as labelled"] == 37.5 and row.loc["favor", "% corrected"] > 37.5
    assert row.loc["none", "% corrected"] < row.loc["none", "% as labelled"]


def test_a_corpus_dashboard_finds_articles_by_title_instead_of_listing_them_all(db, make_result):
    """Over 200 articles the filter lists 200 and a search finds the rest (every title in the
    box sent megabytes to each browser for a 14,000-article corpus); the one chosen stays."""
    big = make_result(copies=110)   # 220 articles, two titles
    analysis_id, _ = store.save_analysis(big, db)
    at = open_page("dashboard", analysis=analysis_id)
    assert len(at.sidebar.multiselect(key="dashboard_articles").options) == 200
    at.sidebar.text_input(key="dashboard_article_query").input("ROME HOSTS").run()
    offered = at.sidebar.multiselect(key="dashboard_articles").options
    assert len(offered) == 110 and set(offered) == {"Rome hosts <b>allies</b> & *friends*"}
    at.sidebar.multiselect(key="dashboard_articles").set_value(["a0-rome"]).run()
    at.sidebar.text_input(key="dashboard_article_query").input("no such title").run()
    assert at.sidebar.multiselect(key="dashboard_articles").value == ["a0-rome"]   # still chosen
    assert qp(at, "article") == ["a0-rome"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Articles"] == "1 of 220" and metrics["Statements"] == "4 of 990"


def test_a_corpus_statements_page_shows_a_page_and_searches_the_database(db, make_result):
    """990 statements in 220 articles: the table holds one page of 500 rows (texts fetched for that
    page only), the next page the other 490; a text search finds a statement wherever it is; the
    reader finds an article by title; corrections pick from the rows shown."""
    big = make_result(copies=110)
    big.rows[-2] = {**big.rows[-2], "text": "Trump said wind farms were ugly."}   # page 2, once
    analysis_id, _ = store.save_analysis(big, db)
    at = open_page("statements", analysis=analysis_id)
    assert len(at.dataframe[0].value) == 500
    assert "990 of 990 statements (statements 1-500 shown)" in texts(at, "caption")
    at.number_input(key="statements_page").set_value(2).run()
    table = at.dataframe[0].value
    assert len(table) == 490 and list(table["statement"])[-1] == big.rows[-1]["statement_id"]
    assert len(at.selectbox(key="statements_fix_id").options) == 490
    at.text_input(key="statements_search").input("WIND FARMS").run()
    table = at.dataframe[0].value
    assert list(table["statement"]) == [big.rows[-2]["statement_id"]] and list(table["speaker"]) == ["Donald Trump"]
    assert "1 of 990 statements" in texts(at, "caption")
    # Filters narrow in the frames: Zelensky's direct quotes, one per copy.
    at.text_input(key="statements_search").input("").run()
    at.multiselect(key="statements_speakers").set_value(["Volodymyr Zelensky"])
    at.multiselect(key="statements_kinds").set_value(["direct quote"]).run()
    table = at.dataframe[0].value
    assert len(table) == 110 and set(table["kind"]) == {"direct quote"} and set(table["speaker"]) == {"Volodymyr Zelensky"}
    # The reader: 200 titles listed, a title search finds the article, its quotes are marked.
    assert len(at.selectbox(key="statements_article").options) == 200
    at.text_input(key="statements_article_query").input("rome hosts").run()
    at.selectbox(key="statements_article").set_value("a7-rome").run()
    md = texts(at, "markdown")
    assert ":blue-background[Tajani told reporters that Rome wants peace now" in md.replace("\\", "")
    assert not at.exception
