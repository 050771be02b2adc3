"""Write annotation batches for the news-stance labels (labels/news_stance/GUIDELINE.md).

Each batch is a markdown file of articles from PolNeAR (title, then every statement as the
product splits it, numbered, with the rules' speaker and kind as hints) and a key file that maps
(article, statement number) to character offsets. Batches go to a scratch folder, never into
the repository (they hold the shared data's text).

    python scripts/news_stance_batches.py --data ../shared/data --out /tmp/nslabel \
        --train-articles 270 --dev-articles 64 --batches 7
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.news_stance import polnear_articles  # noqa: E402
from analysis.quotes import extract_statements  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--train-articles", type=int, default=270)
    ap.add_argument("--dev-articles", type=int, default=64)
    ap.add_argument("--batches", type=int, default=7)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--max-chars", type=int, default=6500)
    ap.add_argument("--skip-labelled", action="store_true",
                    help="leave out articles already in labels/news_stance (a further labelling round)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    done: set[str] = set()
    if args.skip_labelled:
        from analysis.news_stance import LABELS_DIR, read_labels

        for path in LABELS_DIR.glob("*.jsonl"):
            if path.name in ("train.jsonl", "dev.jsonl"):
                done |= {lab.article for lab in read_labels(path)}
    chosen: list[tuple[str, object]] = []
    for split, n in (("train", args.train_articles), ("dev", args.dev_articles)):
        arts = polnear_articles(args.data, split)
        keys = sorted(k for k, a in arts.items() if 1200 <= len(a.text) <= args.max_chars and k not in done)
        rng.shuffle(keys)
        chosen += [(k, arts[k]) for k in keys[:n]]
    args.out.mkdir(parents=True, exist_ok=True)
    offsets: dict[str, dict[int, list[int]]] = {}
    per_batch: list[list[str]] = [[] for _ in range(args.batches)]
    # Deal dev and train articles round-robin so each annotator sees both splits.
    for i, (key, art) in enumerate(chosen):
        statements, _, _ = extract_statements(art)
        lines = [f"\n## ARTICLE {key}\nTITLE: {art.title}\n"]
        offsets[key] = {}
        for n, st in enumerate(statements, start=1):
            offsets[key][n] = [st.start, st.end]
            spk = st.speaker or "-"
            text = " ".join(st.text.split())
            lines.append(f"[{n}] ({st.kind}; speaker: {spk}) {text}")
        per_batch[i % args.batches].append("\n".join(lines))
    for b, parts in enumerate(per_batch, start=1):
        (args.out / f"batch_{b:02d}.md").write_text(
            f"# Batch {b}: {len(parts)} articles\n" + "\n".join(parts) + "\n", encoding="utf-8")
    (args.out / "offsets.json").write_text(json.dumps(offsets), encoding="utf-8")
    print(f"{len(chosen)} articles in {args.batches} batches -> {args.out}")


if __name__ == "__main__":
    main()
