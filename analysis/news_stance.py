"""In-domain stance data: news statements from ``../shared/data`` labelled for stance toward
analysts' targets (``labels/news_stance/``, guideline in ``labels/news_stance/GUIDELINE.md``).

The repository keeps the labels only, keyed by (dataset, split, article id, character offsets,
target); the texts are rebuilt here from the shared data folder, with the same statement
splitting and the same context (:mod:`analysis.stance_context`) the product uses when it scores.

>>> key = ArticleKey.parse("polnear:train:nyt_2016-01-01_x")
>>> key.dataset, key.split, key.article_id
('polnear', 'train', 'nyt_2016-01-01_x')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .datasets import read_jsonl, require
from .errors import InputError
from .labels import Stance
from .records import Article
from .stance_context import context_for_statement

LABELS_DIR = Path(__file__).resolve().parent.parent / "labels" / "news_stance"
CONTRAST_PREFIX = "contrast-"  # annotator names of the contrast round (news_stance_collect.py)
TARGET_KINDS: tuple[str, ...] = ("person", "organization", "policy", "event", "position")


@dataclass(frozen=True)
class ArticleKey:
    dataset: str
    split: str
    article_id: str

    @classmethod
    def parse(cls, key: str) -> ArticleKey:
        dataset, split, article_id = key.split(":", 2)
        return cls(dataset, split, article_id)

    def __str__(self) -> str:
        return f"{self.dataset}:{self.split}:{self.article_id}"


@dataclass(frozen=True)
class NewsStanceLabel:
    """One committed label: no text, only where to find it."""

    article: str  # ArticleKey as a string
    start: int
    end: int
    target: str
    target_kind: str
    implied: bool
    label: str
    annotator: str = ""


@dataclass(frozen=True)
class NewsStanceExample:
    """A label with its statement and context rebuilt from the shared data."""

    text: str
    context: str
    target: str
    label: str
    target_kind: str
    implied: bool
    article: str
    source: str = "news_stance"
    # A contrast pair: a statement that takes a side toward one target of its article, labelled
    # toward another (scripts/news_stance_batches.py --contrast); mostly "none" by design.
    contrast: bool = False


def polnear_articles(data: Path, split: str) -> dict[str, Article]:
    """PolNeAR articles of one split (``train`` / ``dev``) keyed by ``polnear:<split>:<file>``."""
    path = require(data / "polnear" / f"polnear_{split}.jsonl")
    out: dict[str, Article] = {}
    for row in read_jsonl(path):
        key = str(ArticleKey("polnear", split, row["filename"]))
        out[key] = Article(article_id=row["filename"], text=row["text"], title=row.get("title"),
                           source=row.get("publisher"), published=row.get("publication_date"))
    return out


def read_labels(path: Path) -> list[NewsStanceLabel]:
    out: list[NewsStanceLabel] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            label = str(row["label"]).lower()
            if label not in {s.value for s in Stance}:
                raise InputError(f"{path}:{n}: label {row['label']!r} is not favor/against/none")
            out.append(NewsStanceLabel(row["article"], int(row["start"]), int(row["end"]),
                                       str(row["target"]), str(row.get("target_kind", "")),
                                       bool(row.get("implied", False)), label,
                                       str(row.get("annotator", ""))))
    return out


def examples(labels: Iterable[NewsStanceLabel], data: Path) -> Iterator[NewsStanceExample]:
    """Rebuild statement text and context for each label from ``data`` (the shared folder)."""
    cache: dict[str, dict[str, Article]] = {}
    for lab in labels:
        key = ArticleKey.parse(lab.article)
        if key.dataset != "polnear":
            raise InputError(f"unknown dataset {key.dataset!r} in {lab.article}")
        if key.split not in cache:
            cache[key.split] = polnear_articles(data, key.split)
        article = cache[key.split].get(lab.article)
        if article is None:
            raise InputError(f"article {lab.article} not found in {data}/polnear")
        yield NewsStanceExample(
            text=article.text[lab.start:lab.end],
            context=context_for_statement(article.text, lab.start, article.title),
            target=lab.target, label=lab.label, target_kind=lab.target_kind, implied=lab.implied,
            article=lab.article, contrast=lab.annotator.startswith(CONTRAST_PREFIX))


def load_split(split: str, data: Path, labels_dir: Path = LABELS_DIR) -> list[NewsStanceExample]:
    """``train`` or ``dev`` examples (the adjudicated labels, texts rebuilt from ``data``)."""
    path = labels_dir / f"{split}.jsonl"
    if not path.exists():
        return []
    return list(examples(read_labels(path), data))


@dataclass(frozen=True)
class Agreement:
    pairs: int
    observed: float
    kappa: float
    adjudicated_changes: int  # pairs whose adjudicated label differs from the first annotator's


def agreement(path: Path | None = None) -> Agreement | None:
    """Cohen's kappa between the first and the second (blind) annotator of the double-labelled sample."""
    path = path or LABELS_DIR / "double_labelled.jsonl"
    if not path.exists():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not rows:
        return None
    n = len(rows)
    observed = sum(r["first"] == r["second"] for r in rows) / n
    labels = [s.value for s in Stance]
    expected = sum(sum(r["first"] == lab for r in rows) * sum(r["second"] == lab for r in rows)
                   for lab in labels) / (n * n)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    changed = sum(r["adjudicated"] != r["first"] for r in rows)
    return Agreement(n, round(observed, 4), round(kappa, 4), changed)


def summary(labels_dir: Path = LABELS_DIR) -> dict[str, dict[str, object]]:
    """Size and label mix of each committed split (for the data card and the model card)."""
    from collections import Counter

    out: dict[str, dict[str, object]] = {}
    for split in ("train", "dev"):
        path = labels_dir / f"{split}.jsonl"
        if not path.exists():
            continue
        rows = read_labels(path)
        out[split] = {"pairs": len(rows), "articles": len({r.article for r in rows}),
                      "labels": dict(Counter(r.label for r in rows)),
                      "implied": round(sum(r.implied for r in rows) / max(1, len(rows)), 3),
                      "contrast_pairs": sum(r.annotator.startswith(CONTRAST_PREFIX) for r in rows),
                      "target_kinds": dict(Counter(r.target_kind for r in rows))}
    return out
