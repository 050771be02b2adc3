"""``python -m analysis analyze``: formats, --db, per-file errors, stdin, overrides (fake models)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import analysis.models as models
from analysis.__main__ import main
from analysis.pipeline import CONTRACT_FIELDS
from tests.fakes_who import FakeSentiment, FakeStance

FIXTURES = Path(__file__).parent / "fixtures" / "who"
REPO = Path(__file__).resolve().parents[1]
TEXT = 'date 2025-08-26\n\n"We will win this war," Trump said. The Kremlin said there were no plans for talks.\n'


@pytest.fixture(autouse=True)
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "load_sentiment_model", lambda *a, **k: FakeSentiment())
    monkeypatch.setattr(models, "load_stance_model", lambda *a, **k: FakeStance())


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "talks.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_to_stdout_has_the_contract_fields(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["analyze", str(article), "--targets", "peace talks", "--no-progress"])
    out, err = capsys.readouterr()
    assert rc == 0
    rows = _jsonl(out)
    assert len(rows) == 2
    assert list(rows[0])[:len(CONTRACT_FIELDS)] == list(CONTRACT_FIELDS)
    assert rows[0]["speaker"] == "Donald Trump" and rows[0]["kind"] == "direct_quote"
    assert rows[1]["speaker"] == "Kremlin" and rows[1]["speaker_country"] == "RUS"
    assert rows[0]["published"] == "2025-08-26" and rows[0]["article_id"] == "talks"
    assert set(rows[0]["stance"]) == {"peace talks"}
    assert rows[0]["analysis_id"] is None
    assert "1 article(s), 2 statement(s)" in err


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_file_formats(article: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"rows.{fmt}"
    assert main(["analyze", str(article), "--out", str(out), "--no-progress"]) == 0
    if fmt == "csv":
        df = pd.read_csv(out)
    elif fmt == "parquet":
        df = pd.read_parquet(out)
    else:
        df = pd.DataFrame(_jsonl(out.read_text(encoding="utf-8")))
    assert list(df.columns)[:len(CONTRACT_FIELDS)] == list(CONTRACT_FIELDS)
    assert len(df) == 2
    if fmt != "jsonl":
        assert json.loads(df["sentiment"][0])["label"] in {"negative", "neutral", "positive"}


def test_out_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(article: Path, tmp_path: Path) -> None:
    """``--out /dev/null`` (or a FIFO) must be written into, not replaced by a regular file: the
    atomic rename used for files once turned this machine's /dev/null into a root-only file."""
    import os
    import stat
    import threading

    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    assert main(["analyze", str(article), "--format", "jsonl", "--out", str(fifo), "--no-progress"]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [r["speaker"] for r in _jsonl(received[0])] == ["Donald Trump", "Kremlin"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_format_flag_wins_over_extension(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "rows.txt"
    assert main(["analyze", str(article), "--format", "csv", "--out", str(out), "--no-progress"]) == 0
    assert out.read_text(encoding="utf-8").startswith("\ufeffanalysis_id,article_id,")


def test_parquet_needs_a_file(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(article), "--format", "parquet"]) == 2
    assert "Parquet is a binary format" in capsys.readouterr().err


def test_bad_files_are_reported_and_the_rest_goes_through(article: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    rc = main(["analyze", str(empty), str(article), str(junk), "--no-progress"])
    out, err = capsys.readouterr()
    assert rc == 0
    assert len(_jsonl(out)) == 2
    assert f"skipped {empty}" in err and f"skipped {junk}" in err
    assert "2 input(s) skipped" in err


def test_nothing_readable_is_exit_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["analyze", str(tmp_path / "missing.txt")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "no input could be read" in err and "Traceback" not in err


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class FakeStdin:
        buffer = io.BytesIO(TEXT.encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    assert main(["analyze", "-", "--no-progress"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert rows[0]["article_id"] == "stdin"


def test_csv_input_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["analyze", str(FIXTURES / "articles.csv"), "--overrides", str(FIXTURES / "overrides.json"),
               "--no-progress"])
    rows = _jsonl(capsys.readouterr().out)
    assert rc == 0
    assert {r["article_id"] for r in rows} == {"a1", "a2"}
    assert {r["source"] for r in rows} == {"Example News", "Other Wire"}


def test_bad_overrides_file_is_exit_2(article: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "o.json"
    bad.write_text('{"Trump": "XX"}', encoding="utf-8")
    assert main(["analyze", str(article), "--overrides", str(bad)]) == 2
    assert "ISO 3166-1 alpha-3" in capsys.readouterr().err


def test_db_saves_and_every_row_carries_the_id(article: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    store = pytest.importorskip("analysis.store")
    db = f"sqlite:///{tmp_path / 'stancemap.db'}"
    out = tmp_path / "rows.jsonl"
    rc = main(["analyze", str(article), "--db", db, "--out", str(out), "--targets", "peace talks",
               "--no-progress"])
    stdout, err = capsys.readouterr()
    assert rc == 0
    analysis_id = stdout.strip()
    rows = _jsonl(out.read_text(encoding="utf-8"))
    assert {r["analysis_id"] for r in rows} == {analysis_id}
    assert f"saved analysis {analysis_id}" in err
    loaded = store.load_analysis(analysis_id, db)
    assert [r["statement_id"] for r in loaded.rows] == [r["statement_id"] for r in rows]
    assert loaded.targets == ["peace talks"]
    # The token was printed before the save committed (a kill after the commit cannot orphan
    # the analysis), and it is the one that edits it.
    saving = re.search(r"saving analysis (\S+) \(edit token, keep it private: (\S+)\)", err)
    assert saving and saving.group(1) == analysis_id and err.index("saving analysis") < err.index("saved analysis")
    store.rename_analysis(analysis_id, "Renamed with the printed token", saving.group(2), db)
    assert store.load_analysis(analysis_id, db).title == "Renamed with the printed token"
    assert f"/?analysis={analysis_id}" in err


def test_help_lists_the_options() -> None:
    proc = subprocess.run([sys.executable, "-m", "analysis", "analyze", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    for flag in ("--targets", "--format", "--out", "--db", "--model-sentiment", "--model-stance",
                 "--batch-size", "--overrides"):
        assert flag in proc.stdout


def test_unknown_model_is_exit_2_with_a_message(article: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.errors import ModelUnavailable

    def refuse(model_id: str = "x", *a: object, **k: object) -> None:
        raise ModelUnavailable(f"model {model_id!r} is not available offline")

    monkeypatch.setattr(models, "load_sentiment_model", refuse)
    assert main(["analyze", str(article), "--model-sentiment", "no/such-model"]) == 2
    err = capsys.readouterr().err
    assert "no/such-model" in err and "Traceback" not in err


def _corpus(tmp_path: Path) -> Path:
    """Four articles in a folder, one of them a copy of another (found over the whole corpus)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("berlin.txt", "westminster.txt"):
        (folder / name).write_text((FIXTURES / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "talks.txt").write_text(TEXT, encoding="utf-8")
    (folder / "wire-copy.txt").write_text(TEXT, encoding="utf-8")
    return folder


def test_streamed_chunks_write_and_save_the_rows_of_one_pass(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A corpus analysed one article at a time (written, saved and dropped chunk by chunk) gives
    the same rows, in every format and in the database, as the whole corpus at once."""
    store = pytest.importorskip("analysis.store")
    corpus = _corpus(tmp_path)
    args = ["analyze", str(corpus), "--targets", "peace talks", "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "whole.jsonl"), "--chunk-articles", "64"]) == 0
    db = f"sqlite:///{tmp_path / 'stancemap.db'}"
    assert main([*args, "--out", str(tmp_path / "chunked.jsonl"), "--chunk-articles", "1", "--db", db]) == 0
    assert main([*args, "--out", str(tmp_path / "chunked.parquet"), "--chunk-articles", "1"]) == 0
    out, err = capsys.readouterr()
    whole = _jsonl((tmp_path / "whole.jsonl").read_text(encoding="utf-8"))
    chunked = _jsonl((tmp_path / "chunked.jsonl").read_text(encoding="utf-8"))
    analysis_id = out.strip()
    assert {r["article_id"] for r in whole} == {"berlin", "westminster", "talks"}   # the copy counted once
    assert "duplicate: wire-copy" in err
    assert [{**r, "analysis_id": None} for r in chunked] == whole
    assert {r["analysis_id"] for r in chunked} == {analysis_id}
    loaded = store.load_analysis(analysis_id, db)
    assert [r["statement_id"] for r in loaded.rows] == [r["statement_id"] for r in whole]
    assert len(loaded.articles) == 3 and loaded.settings["duplicates"][0]["copies"][0]["article_id"] == "wire-copy"
    assert {"Donald Trump", "Kremlin"} <= {a.name for a in loaded.actors}
    summary = {a["analysis_id"]: a for a in store.list_analyses(db)}[analysis_id]
    assert summary["statements"] == len(whole) and summary["articles"] == 3
    table = pd.read_parquet(tmp_path / "chunked.parquet")
    assert list(table["statement_id"]) == [r["statement_id"] for r in whole]
    assert str(table["start"].dtype) == "int64" and list(table["stance[peace talks]"]) == \
        [r["stance"]["peace talks"]["label"] for r in whole]


def test_a_run_that_fails_midway_leaves_no_file_and_no_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The second chunk's stance pass fails: the rows of the first chunk were already written
    and saved inside the run, yet neither the output file nor the database keeps any of it."""
    store = pytest.importorskip("analysis.store")

    class FailsLater(FakeStance):
        def score(self, texts, targets, **kw):  # type: ignore[no-untyped-def]
            if len(self.calls) >= 1:
                raise RuntimeError("the stance model broke")
            return super().score(texts, targets, **kw)

    monkeypatch.setattr(models, "load_stance_model", lambda *a, **k: FailsLater())
    db = f"sqlite:///{tmp_path / 'stancemap.db'}"
    out = tmp_path / "rows.jsonl"
    with pytest.raises(RuntimeError, match="stance model broke"):
        main(["analyze", str(_corpus(tmp_path)), "--targets", "peace talks", "--no-progress",
              "--chunk-articles", "1", "--out", str(out), "--db", db])
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".rows")] == []
    assert store.list_analyses(db) == []


def test_without_targets_stance_goes_to_the_proposed_ones(article: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """As the app's first run: no --targets means stance toward the text's main actors and issues
    (said on stderr and kept in the saved analysis), and --targets "" means no stance at all."""
    store = pytest.importorskip("analysis.store")
    db = f"sqlite:///{tmp_path / 'stancemap.db'}"
    assert main(["analyze", str(article), "--no-progress", "--db", db, "--out", str(tmp_path / "rows.jsonl")]) == 0
    out, err = capsys.readouterr()
    rows = _jsonl((tmp_path / "rows.jsonl").read_text(encoding="utf-8"))
    proposed = list(rows[0]["stance"])
    assert "Donald Trump" in proposed and "no --targets given" in err and repr(proposed[0]) in err
    assert rows[1]["stance"]["Kremlin"]["label"] == "favor"   # the fake stance model: the target's word is in it
    saved = store.load_analysis(out.strip(), db)
    assert saved.targets == proposed and saved.settings["proposed_targets"] == proposed
    assert main(["analyze", str(article), "--no-progress", "--targets", ""]) == 0
    out, err = capsys.readouterr()
    assert all(r["stance"] == {} for r in _jsonl(out)) and "no --targets given" not in err
