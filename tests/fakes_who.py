"""Fake sentiment / stance models for the who-said-what tests (same .score API, no weights)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analysis.models import Score

NEGATIVE_WORDS = ("angry", "bomb", "war", "against", "bad", "fumes")
POSITIVE_WORDS = ("good", "optimism", "deal", "cooperation", "ready", "support")


class FakeSentiment:
    """Lexicon sentiment; records every call so tests can check batching."""

    model_id = "fake:sentiment"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[tuple[int, int] | None]]] = []

    def score(self, texts: Sequence[str], spans: Sequence[tuple[int, int] | None] | None = None, *,
              batch_size: int = 32, progress: Callable[[int, int], None] | None = None) -> list[Score]:
        spans = list(spans) if spans is not None else [None] * len(texts)
        self.calls.append((list(texts), spans))
        out = []
        for text in texts:
            low = text.lower()
            neg = sum(w in low for w in NEGATIVE_WORDS)
            pos = sum(w in low for w in POSITIVE_WORDS)
            label = "negative" if neg > pos else "positive" if pos > neg else "neutral"
            scores = {"negative": 0.1, "neutral": 0.1, "positive": 0.1}
            scores[label] = 0.8
            out.append(Score(label, scores))
        if progress:
            progress(len(texts), len(texts))
        return out


class FakeStance:
    """Favor when the target's first word is in the text, else none."""

    model_id = "fake:stance"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []
        self.contexts: list[str | None] | None = None

    def score(self, texts: Sequence[str], targets: Sequence[str], *,
              contexts: Sequence[str | None] | None = None, batch_size: int = 32,
              progress: Callable[[int, int], None] | None = None) -> list[Score]:
        self.calls.append((list(texts), list(targets)))
        self.contexts = list(contexts) if contexts is not None else None
        out = []
        for text, target in zip(texts, targets, strict=True):
            label = "favor" if target.split()[0].lower() in text.lower() else "none"
            scores = {"favor": 0.1, "against": 0.1, "none": 0.1}
            scores[label] = 0.8
            out.append(Score(label, scores))
        if progress:
            progress(len(texts), len(texts))
        return out
