"""`python -m analysis sentiment|stance`: JSONL in, JSONL out, order and extra fields kept,
malformed input named by line number with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main
from tests.test_models import tiny_nli, tiny_sentiment  # noqa: F401 (module-scoped fixtures)

REPO = Path(__file__).resolve().parents[1]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_help_lists_the_subcommands() -> None:
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    for command in ("sentiment", "stance", "train", "eval"):
        assert command in out


def test_sentiment_keeps_order_and_extra_fields(tmp_path: Path, tiny_sentiment: str) -> None:
    rows = [
        {"id": 3, "text": "Trump praised the deal.", "target": {"start": 0, "end": 5}},
        {"id": 1, "text": "A short one."},
        {"id": 2, "text": "Putin rejected the offer outright.", "target": "Putin", "meta": {"x": [1]}},
    ]
    src = _write(tmp_path / "in.jsonl", [json.dumps(r) for r in rows])
    out = tmp_path / "out.jsonl"
    assert main(["sentiment", "--in", str(src), "--out", str(out), "--model", tiny_sentiment,
                 "--batch-size", "2"]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == [3, 1, 2]
    assert got[2]["meta"] == {"x": [1]} and got[0]["target"] == {"start": 0, "end": 5}
    for g in got:
        assert g["sentiment"]["label"] in {"negative", "neutral", "positive"}
        assert abs(sum(g["sentiment"]["scores"].values()) - 1) < 1e-3


def test_stance_through_stdin_and_stdout(tiny_nli: str) -> None:
    line = json.dumps({"text": "We must end this war now.", "target": "a negotiated peace deal", "k": "v"})
    proc = subprocess.run([sys.executable, "-m", "analysis", "stance", "--in", "-", "--out", "-",
                           "--model", tiny_nli], cwd=REPO, input=line + "\n", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["k"] == "v" and set(got["stance"]["scores"]) == {"favor", "against", "none"}


@pytest.mark.parametrize(
    ("lines", "command", "message"),
    [
        (['{"text": "ok"}', '{"text": "broken"'], "sentiment", "line 2"),
        (['{"text": "ok"}', "", '["not", "an", "object"]'], "sentiment", "line 3"),
        (['{"txt": "typo"}'], "sentiment", 'line 1: missing "text"'),
        (['{"text": "abc", "target": {"start": 2, "end": 99}}'], "sentiment", "line 1: target span"),
        (['{"text": "abc", "target": "Putin"}'], "sentiment", "does not occur"),
        (['{"text": "abc"}'], "stance", 'line 1: "target" must be a non-empty string'),
    ],
)
def test_malformed_input_names_the_line_and_writes_nothing(
    tmp_path: Path, tiny_sentiment: str, tiny_nli: str, lines: list[str], command: str, message: str
) -> None:
    src = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    model = tiny_sentiment if command == "sentiment" else tiny_nli
    proc = subprocess.run([sys.executable, "-m", "analysis", command, "--in", str(src), "--out", str(out),
                           "--model", model], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))


def test_unknown_model_is_one_clear_line(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", ['{"text": "x", "target": "y"}'])
    proc = subprocess.run([sys.executable, "-m", "analysis", "stance", "--in", str(src),
                           "--model", "someone/not-cached-model"], cwd=REPO, capture_output=True, text=True,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert proc.returncode == 2
    assert "someone/not-cached-model" in proc.stderr and "Traceback" not in proc.stderr


DATA = REPO.parent / "shared" / "data"


@pytest.mark.skipif(not (DATA / "newsmtsc" / "train.jsonl").exists(), reason="../shared/data absent")
def test_train_command_writes_a_loadable_adapter(tmp_path: Path) -> None:
    """The retrain command of the model cards, on 64 examples: a small, loadable adapter folder."""
    from analysis.models import load_sentiment_model

    out = tmp_path / "sentiment"
    assert main(["train", "sentiment", "--data", str(DATA), "--out", str(out), "--limit", "64",
                 "--epochs", "1", "--no-eval"]) == 0
    assert (out / "adapter_model.safetensors").stat().st_size < 5 * 1024 * 1024
    meta = json.loads((out / "stancemap.json").read_text())
    assert meta["task"] == "sentiment" and meta["train_examples"] == 64
    scores = load_sentiment_model(str(out)).score(["Trump praised the deal."], [(0, 5)])
    assert set(scores[0].scores) == {"negative", "neutral", "positive"}
