"""Collect annotators' batch labels into the committed label files (offsets, no text).

    python scripts/news_stance_collect.py --batches /tmp/nslabel [--batches /tmp/r2 ...] \
        [--adjudicated /tmp/nslabel/adjudicated.jsonl]
    python scripts/news_stance_collect.py --add --batches /tmp/r3   # a further round, added

Reads ``labels_batch_NN.jsonl`` (article key + statement number, as written by annotators
following labels/news_stance/GUIDELINE.md) and ``offsets.json`` (written by
news_stance_batches.py), and writes ``labels/news_stance/train.jsonl`` (PolNeAR train articles)
and ``dev.jsonl`` (PolNeAR dev articles: never trained on). Invalid lines are reported and
skipped; a pair labelled twice by one annotator keeps its last label. Adjudicated labels (from
the double-labelled sample) replace the first annotator's.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"person", "organization", "policy", "event", "position"}
LABELS = {"favor", "against", "none"}


def load_batches(folder: Path, prefix: str = "") -> dict[tuple[str, int, int, str], dict]:
    offsets = json.loads((folder / "offsets.json").read_text())
    pairs: dict[tuple[str, int, int, str], dict] = {}
    bad: Counter[str] = Counter()
    for path in sorted(folder.glob("labels_batch_*.jsonl")):
        # Round 1 annotators are a01..a07; later rounds are named by their folder (r2-a01 ...).
        annotator = ("" if prefix in ("", "nslabel") else f"{prefix}-") + "a" + path.stem.rsplit("_", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                span = offsets[row["article"]][str(int(row["stmt"]))]
                label = str(row["label"]).lower()
                kind = str(row["target_kind"]).lower()
                target = " ".join(str(row["target"]).split())
                if label not in LABELS or kind not in KINDS or not target:
                    raise ValueError(label)
            except (KeyError, ValueError, TypeError, json.JSONDecodeError):
                bad[path.name] += 1
                continue
            key = (row["article"], span[0], span[1], target.lower())
            pairs[key] = {"article": row["article"], "start": span[0], "end": span[1], "target": target,
                          "target_kind": kind, "implied": bool(row.get("implied", False)), "label": label,
                          "annotator": annotator}
    for name, n in bad.items():
        print(f"{name}: {n} invalid lines skipped")
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=Path, required=True, action="append",
                    help="a folder of batches (repeatable: one per labelling round)")
    ap.add_argument("--adjudicated", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "labels" / "news_stance")
    ap.add_argument("--add", action="store_true",
                    help="start from the committed train/dev files and add these batches to them (a further "
                         "round whose earlier batch folders are gone); a pair labelled again keeps the new label")
    args = ap.parse_args()
    pairs: dict[tuple[str, int, int, str], dict] = {}
    if args.add:
        for split in ("train", "dev"):
            path = args.out / f"{split}.jsonl"
            for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
                if line.strip():
                    row = json.loads(line)
                    pairs[(row["article"], row["start"], row["end"], row["target"].lower())] = row
    for folder in args.batches:
        pairs.update(load_batches(folder, prefix=folder.name))
    if args.adjudicated and args.adjudicated.exists():
        for line in args.adjudicated.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            key = (row["article"], row["start"], row["end"], row["target"].lower())
            if key in pairs:
                pairs[key] = {**pairs[key], "label": row["label"], "annotator": pairs[key]["annotator"] + "+adj"}
    rows = sorted(pairs.values(), key=lambda r: (r["article"], r["start"], r["target"]))
    for split in ("train", "dev"):
        part = [r for r in rows if r["article"].split(":")[1] == split]
        with (args.out / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for r in part:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        labels = Counter(r["label"] for r in part)
        implied = sum(r["implied"] for r in part) / max(1, len(part))
        print(f"{split}: {len(part)} pairs, {len({r['article'] for r in part})} articles, "
              f"{dict(labels)}, implied {implied:.0%}, kinds {dict(Counter(r['target_kind'] for r in part))}")


if __name__ == "__main__":
    main()
