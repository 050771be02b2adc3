"""Write annotation batches for the news-stance labels (labels/news_stance/GUIDELINE.md).

Each batch is a markdown file of articles from PolNeAR (title, then every statement as the
product splits it, numbered, with the rules' speaker and kind as hints) and a key file that maps
(article, statement number) to character offsets. Batches go to a scratch folder, never into
the repository (they hold the shared data's text).

    python scripts/news_stance_batches.py --data ../shared/data --out /tmp/nslabel \
        --train-articles 270 --dev-articles 64 --batches 7

``--contrast`` writes a different kind of batch, for target confusion: in articles already
labelled, a statement that takes a side toward one target is paired with the article's *other*
targets, and the annotator labels exactly those pairs (often "none", or the opposite side), so
the model learns that a side toward Trump is not a side toward Clinton.

    python scripts/news_stance_batches.py --data ../shared/data --out /tmp/contrast --contrast \
        --batches 8 --per-article 8
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
    ap.add_argument("--contrast", action="store_true",
                    help="pair side-taking statements of labelled articles with the article's other targets")
    ap.add_argument("--per-article", type=int, default=8, help="--contrast: most pairs per article")
    ap.add_argument("--skip-labelled", action="store_true",
                    help="leave out articles already in labels/news_stance (a further labelling round)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.contrast:
        contrast_batches(args, rng)
        return
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


def contrast_batches(args: argparse.Namespace, rng: random.Random) -> None:
    from collections import defaultdict

    from analysis.news_stance import LABELS_DIR, read_labels

    labelled = defaultdict(list)
    for name in ("train.jsonl", "dev.jsonl"):
        for lab in read_labels(LABELS_DIR / name):
            labelled[lab.article].append(lab)
    articles = {**polnear_articles(args.data, "train"), **polnear_articles(args.data, "dev")}
    offsets: dict[str, dict[int, list[int]]] = {}
    per_batch: list[list[str]] = [[] for _ in range(args.batches)]
    dev_batch = args.batches - 1  # the last batch holds the dev articles, so dev stays apart
    total = 0
    for key in sorted(labelled):
        labs = labelled[key]
        kinds = {lab.target: lab.target_kind for lab in labs}
        done = {(lab.start, lab.target.lower()) for lab in labs}
        sided = sorted({(lab.start, lab.end) for lab in labs if lab.label != "none"})
        pairs = [(span, t) for span in sided for t in sorted(kinds) if (span[0], t.lower()) not in done]
        rng.shuffle(pairs)
        pairs = sorted(pairs[: args.per_article])
        if not pairs:
            continue
        statements, _, _ = extract_statements(articles[key])
        number = {(st.start, st.end): n for n, st in enumerate(statements, start=1)}
        pairs = [(span, t) for span, t in pairs if span in number]
        offsets[key] = {n: [st.start, st.end] for n, st in enumerate(statements, start=1)}
        lines = [f"\n## ARTICLE {key}\nTITLE: {articles[key].title}\n"]
        for n, st in enumerate(statements, start=1):
            lines.append(f"[{n}] ({st.kind}; speaker: {st.speaker or '-'}) {' '.join(st.text.split())}")
        lines.append("\nPAIRS TO LABEL (statement number | target | target_kind):")
        lines += [f"- [{number[span]}] | {t} | {kinds[t]}" for span, t in pairs]
        total += len(pairs)
        slot = dev_batch if ":dev:" in key else len(offsets) % dev_batch
        per_batch[slot].append("\n".join(lines))
    args.out.mkdir(parents=True, exist_ok=True)
    for b, parts in enumerate(per_batch, start=1):
        (args.out / f"batch_{b:02d}.md").write_text(
            f"# Contrast batch {b}: {len(parts)} articles\n" + "\n".join(parts) + "\n", encoding="utf-8")
    (args.out / "offsets.json").write_text(json.dumps(offsets), encoding="utf-8")
    print(f"{total} contrast pairs over {len(offsets)} articles in {args.batches} batches -> {args.out}")


if __name__ == "__main__":
    main()
