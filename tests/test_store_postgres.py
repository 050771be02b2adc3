"""The store against a live PostgreSQL server: same results as SQLite, and the CLI's --db URL.

The server comes from ``pg_db_url`` in conftest.py (``STANCEMAP_TEST_PG_URL``, or a throwaway
server started from the PostgreSQL binaries on this machine); without one these tests skip with
the reason. tests/test_store.py runs all its store tests on both backends as well.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

import analysis.models as models
from analysis import store
from analysis.__main__ import main
from analysis.records import AnalysisResult, FileError
from tests.conftest import sample_result
from tests.fakes_who import FakeSentiment, FakeStance

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "analysis" / "bundled"
TEXT = 'date 2025-08-26\n\n"We will win this war," Trump said. The Kremlin said there were no plans for talks.\n'


def _realistic() -> AnalysisResult:
    result = sample_result(copies=2, title="Gespräche über die Ukraine – «Зеленський» 🇺🇦")
    result.created = "2025-08-28T09:15:00+00:00"
    result.errors = [FileError(source="scan.pdf", error="the PDF has no text layer")]
    result.settings = {"batch_size": 32, "overrides": {"Kremlin": "RUS"}, "min_confidence": 0.55}
    return result


def _view(result: AnalysisResult) -> dict[str, Any]:
    """Everything a user sees of a loaded analysis, less the (backend-specific) id."""
    return {
        "title": result.title, "created": result.created, "targets": result.targets,
        "models": result.models, "settings": result.settings,
        "errors": [asdict(e) for e in result.errors],
        "articles": [asdict(a) for a in result.articles],
        "actors": [asdict(a) for a in result.actors],
        "rows": [{k: v for k, v in r.items() if k != "analysis_id"} for r in result.rows],
    }


def test_postgres_gives_back_exactly_what_sqlite_does(pg_db_url: str, tmp_path: Path) -> None:
    views, listings = {}, {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'ref.db'}"), ("postgresql", pg_db_url)):
        analysis_id, token = store.save_analysis(_realistic(), url)
        first = _realistic().rows[0]["statement_id"]
        store.save_correction(analysis_id, first, "speaker", "Antonio Tajani", token, url)
        store.save_correction(analysis_id, first, "stance", {"target": "sanctions on Russia", "label": "against"},
                              token, url)
        loaded = store.load_analysis(analysis_id, url)
        assert loaded.analysis_id == analysis_id
        assert all(r["analysis_id"] == analysis_id for r in loaded.rows)
        views[name] = _view(loaded)
        [entry] = store.list_analyses(url)
        listings[name] = {k: v for k, v in entry.items() if k != "analysis_id"}
    assert views["postgresql"] == views["sqlite"]
    assert listings["postgresql"] == listings["sqlite"]
    # ... and that is the analysis that was saved, with the two corrections applied.
    expected = _view(_realistic())
    expected["rows"][0]["speaker"] = "Antonio Tajani"
    expected["rows"][0]["speaker_country"] = "ITA"
    expected["rows"][0]["speaker_type"] = "person"
    expected["rows"][0]["speaker_country_evidence"] = None   # the new speaker's evidence (none recorded here)
    model_said = expected["rows"][0]["stance"]["sanctions on Russia"]
    expected["rows"][0]["stance"]["sanctions on Russia"] = {
        "label": "against", "scores": model_said["scores"], "corrected": True, "model_label": model_said["label"]}
    expected["rows"][0]["corrected"] = ["speaker", "stance:sanctions on Russia"]
    assert views["postgresql"] == expected
    assert views["postgresql"]["rows"][1]["sentiment"]["scores"]["negative"] == pytest.approx(0.1)
    assert len(views["postgresql"]["rows"]) == 18 and len(views["postgresql"]["articles"]) == 4


def _analyze_into(db: str, tmp_path: Path, run: Any) -> None:
    """Run ``analyze --db`` through ``run(argv) -> stdout`` and open what it saved."""
    article = tmp_path / "talks.txt"
    article.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    stdout = run(["analyze", str(article), "--db", db, "--out", str(out), "--targets", "peace talks",
                  "--no-progress"])
    analysis_id = stdout.strip()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {r["analysis_id"] for r in rows} == {analysis_id}
    loaded = store.load_analysis(analysis_id, db)
    assert [(r["statement_id"], r["speaker"], r["text"]) for r in loaded.rows] == \
        [(r["statement_id"], r["speaker"], r["text"]) for r in rows]
    assert loaded.targets == ["peace talks"]
    assert loaded.articles[0].published == "2025-08-26"
    assert [e["analysis_id"] for e in store.list_analyses(db)] == [analysis_id]


def test_cli_saves_into_postgres(pg_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(models, "load_sentiment_model", lambda *a, **k: FakeSentiment())
    monkeypatch.setattr(models, "load_stance_model", lambda *a, **k: FakeStance())

    def run(argv: list[str]) -> str:
        assert main(argv) == 0
        return capsys.readouterr().out

    _analyze_into(pg_db_url, tmp_path, run)


@pytest.mark.slow
@pytest.mark.skipif(not (BUNDLED / "sentiment" / "stancemap.json").exists()
                    or not (BUNDLED / "stance" / "stancemap.json").exists(),
                    reason="bundled models not trained yet")
def test_python_m_analysis_saves_into_postgres(pg_db_url: str, tmp_path: Path) -> None:
    # What a user types: a separate process, the bundled models, the PostgreSQL URL on the command line.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("STANCEMAP_DB", None)

    def run(argv: list[str]) -> str:
        proc = subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    _analyze_into(pg_db_url, tmp_path, run)


def test_writers_racing_into_a_fresh_postgres_schema_all_save(pg_url: str) -> None:
    """Two CLI runs into a database without tables: both save (no UniqueViolation on pg_type)."""
    import secrets

    from sqlalchemy import create_engine, make_url, text

    from tests.test_store import save_at_once

    schema = f"stancemap_race_{secrets.token_hex(4)}"
    base = make_url(pg_url)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        runs = save_at_once(url, 4)
        assert [r.returncode for r in runs] == [0] * 4, [r.stderr[-400:] for r in runs if r.returncode]
        assert sorted(a["title"] for a in store.list_analyses(url)) == [f"run {i}" for i in range(4)]
    finally:
        for key in [k for k in store._ENGINES if schema in k]:
            store._ENGINES.pop(key).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
