"""Readers for the gold-labelled data in ``../shared/data`` and the splits we train / evaluate on.

Nothing here is copied into the repository: every function takes the data folder as an argument.
Held-out topics are fixed here, once, so ``train`` and ``eval`` can never disagree about them:

* VAST dev: topics whose stable hash is even are held out (topic-disjoint, ~half the rows);
* SemEval-2016 train: the targets "hillary clinton" and "feminist movement" are held out
  (a person target and a movement, both absent from every training source);
* directed_sentiment ``valid.txt`` is never trained on (stance toward people in news).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .labels import Sentiment, Stance

NEWSMTSC_POLARITY: dict[float, Sentiment] = {
    2.0: Sentiment.NEGATIVE,
    4.0: Sentiment.NEUTRAL,
    6.0: Sentiment.POSITIVE,
}
SEMEVAL_HELD_OUT: frozenset[str] = frozenset({"hillary clinton", "feminist movement"})
_STANCE_NAMES: dict[str, Stance] = {"FAVOR": Stance.FAVOR, "AGAINST": Stance.AGAINST, "NONE": Stance.NONE}
VAST_LABELS: dict[str, Stance] = {"0": Stance.AGAINST, "1": Stance.FAVOR, "2": Stance.NONE}


@dataclass(frozen=True)
class SentimentExample:
    text: str
    span: tuple[int, int] | None
    label: str


@dataclass(frozen=True)
class StanceExample:
    text: str
    target: str
    label: str
    source: str


def require(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"Data file {path} not found. Pass --data pointing at the shared data folder "
                         f"(the one holding newsmtsc/, stance/, ...), e.g. --data ../shared/data")
    return path


def read_jsonl(path: Path) -> Iterator[dict]:
    with require(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def newsmtsc(path: Path, *, sentence_level: bool = False) -> list[SentimentExample]:
    """Target-level examples; with ``sentence_level`` also one target-less example per sentence
    whose targets all share one polarity (our proxy for statement-level sentiment)."""
    out: list[SentimentExample] = []
    for row in read_jsonl(path):
        text = row["sentence_normalized"]
        labels = set()
        for t in row["targets"]:
            label = NEWSMTSC_POLARITY[float(t["polarity"])]
            labels.add(label)
            out.append(SentimentExample(text, (int(t["from"]), int(t["to"])), label.value))
        if sentence_level and len(labels) == 1:
            out.append(SentimentExample(text, None, labels.pop().value))
    return out


def _topic_held_out(topic: str) -> bool:
    return int(hashlib.sha1(topic.strip().lower().encode()).hexdigest(), 16) % 2 == 0


def vast(data: Path, *, held_out: bool) -> list[StanceExample]:
    rows = csv.DictReader(require(data / "stance/vast/vast_dev.csv").open(encoding="utf-8"))
    return [
        StanceExample(r["Tweet"], r["Target"], VAST_LABELS[r["Stance"]].value, "vast")
        for r in rows
        if _topic_held_out(r["Target"]) == held_out
    ]


def semeval(data: Path, *, held_out: bool) -> list[StanceExample]:
    path = require(data / "stance/semeval2016/semeval2016_train.csv")
    rows = csv.DictReader(path.open(encoding="utf-8", errors="replace"))
    out = []
    for r in rows:
        target = r["Target"].strip().lower()
        if (target in SEMEVAL_HELD_OUT) == held_out:
            text = r["Tweet"].replace("#SemST", "").strip()
            out.append(StanceExample(text, target, _STANCE_NAMES[r["Stance"]].value, "semeval2016"))
    return out


def extra(data: Path, name: str) -> list[StanceExample]:
    return [
        StanceExample(r["text"], r["target"], _STANCE_NAMES[r["label"]].value, name)
        for r in read_jsonl(data / "stance/extra" / name / "train.jsonl")
    ]


def _unbracket(sentence: str) -> str:
    return sentence.replace("[", "").replace("]", "")


def directed_sentiment(path: Path) -> list[StanceExample]:
    """Entity-to-entity sentiment read as the sentence's stance toward the entity on the
    receiving end ("p blames q" -> AGAINST q). Label 0 (neutral) -> NONE toward q."""
    out = []
    with require(path).open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            sentence, p, q, label = parts
            text = _unbracket(sentence)
            p, q = p.strip(" ’'"), q.strip(" ’'")
            mapping = {"0": (q, Stance.NONE), "1": (q, Stance.FAVOR), "2": (p, Stance.FAVOR),
                       "3": (q, Stance.AGAINST), "4": (p, Stance.AGAINST)}
            if label in mapping:
                target, stance = mapping[label]
                out.append(StanceExample(text, target, stance.value, "directed_sentiment"))
    return out


def newsmtsc_as_stance(path: Path) -> list[StanceExample]:
    """NewsMTSC sentiment toward a named person / group, read as stance toward it."""
    mapping = {Sentiment.NEGATIVE: Stance.AGAINST, Sentiment.NEUTRAL: Stance.NONE,
               Sentiment.POSITIVE: Stance.FAVOR}
    out = []
    for row in read_jsonl(path):
        text = row["sentence_normalized"]
        for t in row["targets"]:
            label = mapping[NEWSMTSC_POLARITY[float(t["polarity"])]]
            out.append(StanceExample(text, t["mention"], label.value, "newsmtsc"))
    return out


def _cap(rows: list[StanceExample], n: int, rng: random.Random) -> list[StanceExample]:
    if len(rows) <= n:
        return rows
    return rng.sample(rows, n)


def stance_training_set(data: Path, *, seed: int = 13, scale: float = 1.0) -> list[StanceExample]:
    """The mixture the bundled stance model is trained on (caps keep sources balanced and CPU
    training under ~30 minutes). Every held-out topic above is excluded."""
    rng = random.Random(seed)

    def cap(n: int) -> int:
        return max(1, int(n * scale))

    rows: list[StanceExample] = []
    rows += semeval(data, held_out=False)
    rows += vast(data, held_out=False)
    rows += _cap(extra(data, "ibm_argq30k"), cap(5000), rng)  # argkp is a subset: not used
    rows += extra(data, "ibm_claim_stance")
    heads = [r for r in read_jsonl(data / "stance/extra/perspectrum/train.jsonl") if r.get("is_cluster_head")]
    rows += _cap([StanceExample(r["text"], r["target"], _STANCE_NAMES[r["label"]].value, "perspectrum")
                  for r in heads], cap(3000), rng)
    rows += _cap(extra(data, "procon20"), cap(1500), rng)
    rows += _cap(extra(data, "ukp_sentential"), cap(4000), rng)
    rows += extra(data, "emergent")
    rows += extra(data, "gwsd")
    rows += _cap(newsmtsc_as_stance(data / "newsmtsc/train.jsonl"), cap(7000), rng)
    rows += _cap(directed_sentiment(data / "directed_sentiment/train.txt"), cap(6000), rng)
    rows = [r for r in rows if r.text.strip() and r.target.strip()]
    # Unrelated targets: a news statement is mostly about something other than the user's
    # target, and the answer then is NONE. Pair texts with a target from another source.
    targets = sorted({r.target for r in rows})
    unrelated = []
    for r in rng.sample(rows, min(len(rows), cap(3000))):
        other = rng.choice(targets)
        if other.lower() not in r.text.lower() and other != r.target:
            unrelated.append(StanceExample(r.text, other, Stance.NONE.value, "unrelated"))
    rows += unrelated
    rng.shuffle(rows)
    return rows


def stance_eval_sets(data: Path) -> dict[str, list[StanceExample]]:
    """Held-out evaluation sets: topics never seen in training."""
    return {
        "vast_dev_heldout_topics": vast(data, held_out=True),
        "semeval2016_heldout_targets": semeval(data, held_out=True),
        "directed_sentiment_valid_people": directed_sentiment(data / "directed_sentiment/valid.txt"),
    }


def sentiment_eval_sets(data: Path) -> dict[str, list[SentimentExample]]:
    return {
        "newsmtsc_dev_rw": newsmtsc(data / "newsmtsc/dev_rw.jsonl"),
        "newsmtsc_dev_mt": newsmtsc(data / "newsmtsc/dev_mt.jsonl"),
    }
