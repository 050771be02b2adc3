"""``--engine ray``: the same rows as the local engine, from a Ray cluster started inside the test.

A local Ray instance with two CPUs and two actors (each loading the bundled models once) runs the
analysis of three short articles, offline; the rows must equal the local engine's: the same
statements, speakers, countries and labels, the same scores.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "analysis" / "bundled"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (BUNDLED / "stance" / "stancemap.json").exists(), reason="no bundled models")]

ARTICLES = {
    "rome.txt": 'Talks in Rome\n\nTajani said Italy backs a ceasefire in Ukraine. "We will never accept '
                'this," Zelensky said. The Tory leader said nothing.\n',
    "moscow.txt": "Sanctions\n\nLavrov said sanctions on Russia would fail. Peskov later said talks were possible. "
                  "Hillary Clinton said the plan was reckless. Donald Trump said it was great.\n",
    "kyiv.txt": "Kyiv\n\nZelensky said Ukraine wants a ceasefire but not at any price. He said allies must help.\n",
    "copy.txt": "Kyiv\n\nZelensky said Ukraine wants a ceasefire but not at any price. He said allies must help.\n",
}


def _run(folder: Path, out: Path, *extra: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "analysis", "analyze", str(folder), "--targets", "a ceasefire",
                           "--out", str(out), "--no-progress", *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=900,
                          env={**__import__("os").environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_ray_engine_gives_the_local_engines_rows(tmp_path: Path) -> None:
    pytest.importorskip("ray.data")
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    local = _run(folder, tmp_path / "local.jsonl")
    ray_rows = _run(folder, tmp_path / "ray.jsonl", "--engine", "ray", "--workers", "2")
    assert len(ray_rows) == len(local) > 8
    # copy.txt and kyiv.txt are one story: the first in input order (folders are read sorted) is kept
    assert {r["article_id"] for r in ray_rows} == {"copy", "moscow", "rome"}
    for a, b in zip(ray_rows, local, strict=True):
        assert (a["statement_id"], a["speaker"], a["speaker_country"], a["kind"]) == \
            (b["statement_id"], b["speaker"], b["speaker_country"], b["kind"])
        assert a["stance"]["a ceasefire"]["label"] == b["stance"]["a ceasefire"]["label"]
        assert a["stance"]["a ceasefire"]["scores"]["favor"] == pytest.approx(b["stance"]["a ceasefire"]["scores"]["favor"], abs=1e-5)
        assert a["sentiment"]["label"] == b["sentiment"]["label"]
    speakers = {r["speaker"] for r in ray_rows}
    assert {"Hillary Clinton", "Donald Trump", "Antonio Tajani", "Sergei Lavrov"} <= speakers
