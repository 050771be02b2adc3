"""Persistence: atomic save, load round trip, ids, edit tokens, corrections, env configuration.

Every test that takes ``db_url`` runs twice: on SQLite and on a live PostgreSQL server
(``pg_db_url`` in conftest.py; those runs skip with the reason when no server can be had).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from analysis import store
from analysis.errors import InputError, NotFound


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """conftest's fresh SQLite database, or an emptied schema on a live PostgreSQL server."""
    return db_url if request.param == "sqlite" else request.getfixturevalue("pg_db_url")


def test_round_trip_keeps_everything(db_url, result):
    analysis_id, token = store.save_analysis(result, db_url)
    loaded = store.load_analysis(analysis_id, db_url)
    assert loaded.analysis_id == analysis_id
    assert loaded.title == "Talks on Ukraine"
    assert [a.text for a in loaded.articles] == [a.text for a in result.articles]
    assert len(loaded.rows) == len(result.rows) == 9
    assert all(r["analysis_id"] == analysis_id for r in loaded.rows)
    assert loaded.rows[0]["stance"] == result.rows[0]["stance"]
    assert loaded.rows[0]["mentions"] == result.rows[0]["mentions"]
    assert {a.name for a in loaded.actors} >= {"Donald Trump", "Antonio Tajani"}
    assert loaded.targets == result.targets and loaded.models == result.models
    assert token and token != analysis_id


def test_long_file_names_save_and_load(db_url, result):
    # An article id is the file name without extension (up to 255 characters) or a CSV "id"
    # column, and every statement id is "<article id>:<n>". PostgreSQL enforces VARCHAR lengths
    # (SQLite does not): ids of a few hundred characters must still save there.
    long_id = "Trump-Putin-call-" + "x" * 400
    old = result.articles[0].article_id
    result.articles[0] = result.articles[0].__class__(**{**result.articles[0].__dict__, "article_id": long_id})
    for r in result.rows:
        if r["article_id"] == old:
            r["article_id"], r["statement_id"] = long_id, r["statement_id"].replace(old, long_id)
    analysis_id, token = store.save_analysis(result, db_url)
    loaded = store.load_analysis(analysis_id, db_url)
    assert loaded.articles[0].article_id == long_id
    assert loaded.rows[0]["statement_id"] == f"{long_id}:0"
    store.save_correction(analysis_id, f"{long_id}:0", "country", "UKR", token, db_url)
    assert store.load_analysis(analysis_id, db_url).rows[0]["speaker_country"] == "UKR"


def test_long_sources_and_speaker_names_save_on_every_backend(db_url, result):
    # A 600-character source and a 528-character speaker overflowed VARCHAR(500) on PostgreSQL
    # (a traceback after the whole computation) while SQLite took them.
    source, speaker = "S" * 600, "Long Name " * 52 + "Jr."
    result.articles[0] = result.articles[0].__class__(**{**result.articles[0].__dict__, "source": source})
    r = next(r for r in result.rows if r["speaker"])
    r["speaker"] = speaker
    result.actors.append(result.actors[0].__class__(speaker, "person"))
    analysis_id, _ = store.save_analysis(result, db_url)
    loaded = store.load_analysis(analysis_id, db_url)
    assert loaded.articles[0].source == source
    assert speaker in {row["speaker"] for row in loaded.rows}


def test_ids_are_random_and_128_bits(db_url, make_result):
    ids = {store.save_analysis(make_result(), db_url)[0] for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) >= 22 and store.is_valid_id(i) for i in ids)


def test_edit_token_is_stored_hashed(db_url, result):
    analysis_id, token = store.save_analysis(result, db_url)
    with store.get_engine(db_url).connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("select * from analyses")) for v in row)
    assert token not in dump


@pytest.mark.parametrize("bad", ["", "x", "../../etc/passwd", "' OR 1=1 --", "a" * 200, "abc def" * 4, None])
def test_malformed_ids_are_not_found(db_url, bad):
    with pytest.raises(NotFound):
        store.load_analysis(bad, db_url)  # type: ignore[arg-type]


def test_unknown_id_is_not_found(db_url):
    with pytest.raises(NotFound, match="No analysis"):
        store.load_analysis(store.new_analysis_id(), db_url)


def test_list_rename_delete_need_token(db_url, result):
    analysis_id, token = store.save_analysis(result, db_url)
    [entry] = store.list_analyses(db_url)
    assert entry["analysis_id"] == analysis_id
    assert (entry["articles"], entry["statements"], entry["speakers"], entry["countries"]) == (2, 9, 4, 4)
    with pytest.raises(InputError, match="edit token"):
        store.rename_analysis(analysis_id, "New", "wrong-token", db_url)
    with pytest.raises(InputError, match="edit token"):
        store.delete_analysis(analysis_id, "", db_url)
    store.rename_analysis(analysis_id, "  Renamed  ", token, db_url)
    assert store.load_analysis(analysis_id, db_url).title == "Renamed"
    store.delete_analysis(analysis_id, token, db_url)
    assert store.list_analyses(db_url) == []
    with pytest.raises(NotFound):
        store.load_analysis(analysis_id, db_url)
    with store.get_engine(db_url).connect() as conn:
        assert conn.execute(text("select count(*) from statements")).scalar() == 0
        assert conn.execute(text("select count(*) from articles")).scalar() == 0


def test_save_is_atomic(db_url, make_result):
    # The second article violates NOT NULL after the analysis row was already flushed:
    # nothing of this analysis may remain.
    bad = make_result()
    bad.articles[1] = bad.articles[1].__class__(article_id="x", text=None)  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        store.save_analysis(bad, db_url)
    assert store.list_analyses(db_url) == []
    with store.get_engine(db_url).connect() as conn:
        assert conn.execute(text("select count(*) from articles")).scalar() == 0


def test_corrections_apply_on_load(db_url, result):
    analysis_id, token = store.save_analysis(result, db_url)
    sid = result.rows[8]["statement_id"]  # the narrative row without speaker
    tgt = result.targets[0]
    store.save_correction(analysis_id, sid, "speaker", "Antonio Tajani", token, db_url)
    store.save_correction(analysis_id, sid, "stance", {"target": tgt, "label": "favor"}, token, db_url)
    store.save_correction(analysis_id, result.rows[0]["statement_id"], "country", "Italy", token, db_url)
    rows = {r["statement_id"]: r for r in store.load_analysis(analysis_id, db_url).rows}
    assert rows[sid]["speaker"] == "Antonio Tajani"
    assert rows[sid]["speaker_country"] == "ITA"  # taken from the known actor
    assert rows[sid]["stance"][tgt]["label"] == "favor"
    assert rows[result.rows[0]["statement_id"]]["speaker_country"] == "ITA"
    raw = store.load_analysis(analysis_id, db_url, apply_corrections=False)
    assert raw.rows[8]["speaker"] is None
    assert len(store.list_corrections(analysis_id, db_url)) == 3


def _same_frames(a: store.AnalysisFrames, b: store.AnalysisFrames) -> None:
    import pandas as pd

    for name in ("statements", "stance", "edges"):
        pd.testing.assert_frame_equal(getattr(a, name).reset_index(drop=True),
                                      getattr(b, name).reset_index(drop=True), check_dtype=False, obj=name)


def test_statement_text_search_runs_in_the_database(db_url, result):
    """The Statements page of a corpus searches texts in the database: case-insensitive, in the
    analysis's order, LIKE wildcards taken literally, nothing for another analysis's id."""
    result.rows[2] = {**result.rows[2], "text": 'Zelensky said 100% of sanctions_list must stay, “très” "firm".'}
    analysis_id, _ = store.save_analysis(result, db_url)
    assert store.search_statement_ids(analysis_id, "  SANCTIONS ", db_url) == ["a0-talks:2", "a0-rome:2"]
    assert store.search_statement_ids(analysis_id, "100%", db_url) == ["a0-talks:2"]
    assert store.search_statement_ids(analysis_id, "s_l", db_url) == ["a0-talks:2"]
    assert store.search_statement_ids(analysis_id, "%", db_url) == ["a0-talks:2"]
    # Text the stored JSON escapes (non-ASCII, quotation marks) is found all the same.
    assert store.search_statement_ids(analysis_id, "“très”", db_url) == ["a0-talks:2"]
    assert store.search_statement_ids(analysis_id, '"firm"', db_url) == ["a0-talks:2"]
    assert store.search_statement_ids(analysis_id, "no such words", db_url) == []
    assert store.search_statement_ids("0" * 32, "sanctions", db_url) == []
    assert store.search_statement_ids(analysis_id, " ", db_url) == []


def test_stored_frames_chart_what_the_rows_say_through_every_edit(db_url, result):
    """The dashboard charts the columnar tables saved with an analysis (a corpus opens without
    decoding its rows): they must say exactly what the rows say, with corrections, after a
    target is added or removed, and for an analysis saved before the tables existed."""
    from analysis import aggregate as ag

    analysis_id, token = store.save_analysis(result, db_url)

    def check() -> store.AnalysisFrames:
        frames = store.load_frames(analysis_id, db_url)
        _same_frames(frames, store.frames_of(store.load_analysis(analysis_id, db_url)))
        return frames

    frames = check()
    assert len(frames.statements) == 9 and set(frames.stance["target"]) == set(result.targets)
    sid, tgt = result.rows[8]["statement_id"], result.targets[0]
    store.save_correction(analysis_id, sid, "speaker", "Antonio Tajani", token, db_url)
    store.save_correction(analysis_id, sid, "stance", {"target": tgt, "label": "against"}, token, db_url)
    frames = check()
    fixed = frames.stance[(frames.stance["statement_id"] == sid) & (frames.stance["target"] == tgt)]
    assert fixed[["speaker", "speaker_country", "stance", "net"]].values.tolist() == [["Antonio Tajani", "ITA", "against", -1.0]]
    assert ag.opening_target(frames.stance, result.targets) == result.targets[0]

    full = store.load_analysis(analysis_id, db_url, apply_corrections=False)
    for r in full.rows:   # what pipeline.add_targets leaves on each row
        r["stance"]["Donald Trump"] = {"label": "favor", "scores": {"favor": 0.7, "against": 0.1, "none": 0.2}}
    store.save_added_targets(full, ["Donald Trump"], token, db_url)
    frames = check()
    assert list(dict.fromkeys(frames.stance["target"])) == [*result.targets, "Donald Trump"]
    assert store.remove_targets(analysis_id, [tgt], token, db_url) == [tgt]
    assert tgt not in set(check().stance["target"])

    from sqlalchemy import delete

    with store.Session(store.get_engine(db_url)) as session, session.begin():
        session.execute(delete(store.FrameRow).where(store.FrameRow.analysis_id == analysis_id))
    check()   # an analysis saved before the tables: computed from its rows

    light = store.load_analysis(analysis_id, db_url, with_rows=False)
    assert light.rows == [] and not light.rows_loaded and light.n_statements == 9
    some = store.load_statement_rows(analysis_id, [sid, "no-such-id"], db_url)
    assert [(r["statement_id"], r["speaker"]) for r in some] == [(sid, "Antonio Tajani")]   # corrected
    assert set(store.load_articles(analysis_id, [some[0]["article_id"]], db_url)) == {some[0]["article_id"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("speaker_type", "person", "Cannot correct"), ("country", "Atlantis", "Unknown country"),
     ("stance", {"target": "nope", "label": "favor"}, "Unknown target"),
     ("stance", {"target": "a ceasefire in Ukraine", "label": "maybe"}, "Unknown stance"),
     ("stance", "favor", "stance correction")],
)
def test_bad_corrections_are_refused(db_url, result, field, value, message):
    analysis_id, token = store.save_analysis(result, db_url)
    with pytest.raises(InputError, match=message):
        store.save_correction(analysis_id, result.rows[0]["statement_id"], field, value, token, db_url)


def test_correction_needs_token_and_statement(db_url, result):
    analysis_id, token = store.save_analysis(result, db_url)
    with pytest.raises(InputError):
        store.save_correction(analysis_id, result.rows[0]["statement_id"], "speaker", "X", "bad", db_url)
    with pytest.raises(NotFound):
        store.save_correction(analysis_id, "no-such-statement", "speaker", "X", token, db_url)


def test_default_db_lives_in_data_dir(tmp_path, monkeypatch, result):
    monkeypatch.delenv("STANCEMAP_DB", raising=False)
    monkeypatch.setenv("STANCEMAP_DATA_DIR", str(tmp_path / "dd"))
    assert store.default_db_url() == f"sqlite:///{tmp_path / 'dd' / 'stancemap.db'}"
    analysis_id, _ = store.save_analysis(result)
    assert (tmp_path / "dd" / "stancemap.db").exists()
    assert store.load_analysis(analysis_id).analysis_id == analysis_id
    monkeypatch.setenv("STANCEMAP_DB", f"sqlite:///{tmp_path / 'other.db'}")
    assert store.default_db_url().endswith("other.db")


def test_schema_compiles_for_postgresql():
    # No PostgreSQL server in CI: check at least that every table compiles for its dialect.
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    ddl = "\n".join(str(CreateTable(t).compile(dialect=postgresql.dialect()))
                    for t in store.Base.metadata.sorted_tables)
    assert "CREATE TABLE analyses" in ddl and "row JSON" in ddl and "REFERENCES analyses (id)" in ddl


REPO = Path(__file__).resolve().parents[1]
RACE_SCRIPT = """
import sys
from analysis import store
from tests.conftest import sample_result
aid, _ = store.save_analysis(sample_result(title=sys.argv[2]), sys.argv[1])
print(aid)
"""


def save_at_once(db_url: str, n: int) -> list[subprocess.CompletedProcess]:
    """``n`` processes saving an analysis into ``db_url`` at the same moment."""
    procs = [subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, db_url, f"run {i}"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs]


def test_writers_racing_into_a_fresh_sqlite_file_all_save(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    runs = save_at_once(url, 8)
    assert [r.returncode for r in runs] == [0] * 8, [r.stderr[-400:] for r in runs if r.returncode]
    assert sorted(a["title"] for a in store.list_analyses(url)) == [f"run {i}" for i in range(8)]


KILL_SCRIPT = """
import sys
from analysis import store
from tests.conftest import sample_result
result = sample_result(copies=150)
print("ready", flush=True)
while True:
    store.save_analysis(sample_result(copies=150), sys.argv[1])
"""


def test_kill_9_while_saving_leaves_every_analysis_whole_or_absent(tmp_path: Path) -> None:
    """A writer killed at random moments mid-save: the file stays sound and each analysis in it
    has all of its statements, or is not there at all."""
    import random
    import signal
    import sqlite3
    import time

    db_file = tmp_path / "kill.db"
    url = f"sqlite:///{db_file}"
    rng = random.Random(9)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, url], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = store.list_analyses(url)
    assert saved, "no save finished in 8 runs; the test did not test anything"
    for entry in saved:
        loaded = store.load_analysis(entry["analysis_id"], url)
        assert len(loaded.rows) == entry["statements"] == 150 * 9 and len(loaded.articles) == 300


def test_a_database_from_before_country_evidence_opens_and_keeps_it(tmp_path, result):
    # A file saved by an older version has no actors.country_evidence column; create_all never
    # alters a table, so opening it adds the column and old analyses read as "not recorded".
    import sqlite3

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    store.get_engine(url)
    store._ENGINES.pop(url).dispose()
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE actors DROP COLUMN country_evidence")
    con.commit()
    con.close()
    assert "country_evidence" not in {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(actors)")}
    try:
        result.actors[0] = result.actors[0].__class__(**{**result.actors[0].__dict__, "country": "GBR",
                                                         "country_evidence": "article context"})
        analysis_id, token = store.save_analysis(result, url)
        loaded = store.load_analysis(analysis_id, url)
        assert loaded.actors[0].country_evidence == "article context"
        row = next(r for r in loaded.rows if r.get("speaker"))
        store.save_correction(analysis_id, row["statement_id"], "country", "IRL", token, url)
        fixed = next(r for r in store.load_analysis(analysis_id, url).rows if r["statement_id"] == row["statement_id"])
        assert (fixed["speaker_country"], fixed["speaker_country_evidence"]) == ("IRL", "override")
    finally:
        store._ENGINES.pop(url).dispose()
