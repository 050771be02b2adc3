"""Shared, generic fixtures: paths to ../shared, a temporary database, a hand-built analysis.

``sample_result()`` builds an :class:`AnalysisResult` by hand with exactly the contract row
fields (ARCHITECTURE.md, CLI), so store / aggregate / chart / page tests do not depend on the
pipeline or on trained weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analysis.records import Actor, AnalysisResult, Article

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE_ARTICLE = SHARED / "articles" / "ukraine-talks-2025-08-26.txt"

TARGETS = ["a ceasefire in Ukraine", "sanctions on Russia"]
_ACTORS = {
    "Donald Trump": ("person", "USA"),
    "Antonio Tajani": ("person", "ITA"),
    "Volodymyr Zelensky": ("person", "UKR"),
    "Vladimir Putin": ("person", "RUS"),
    "Kremlin": ("organization", "RUS"),
}


def _probs(label: str, labels: tuple[str, ...], p: float = 0.8) -> dict[str, float]:
    rest = (1.0 - p) / (len(labels) - 1)
    return {k: (p if k == label else rest) for k in labels}


def make_row(
    article: Article, i: int, sentence: str, *, speaker: str | None, kind: str,
    sentiment: str, stances: dict[str, str], mentions: tuple[str, ...] = (), conf: float = 0.8,
) -> dict[str, Any]:
    """One contract row whose offsets point at ``sentence`` inside ``article.text``."""
    start = article.text.index(sentence)
    stype, country = _ACTORS.get(speaker, (None, None)) if speaker else (None, None)
    ments = []
    for name in mentions:
        pos = sentence.find(name.split()[-1])
        ments.append({"actor": name, "country": _ACTORS[name][1], "start": start + max(pos, 0),
                      "end": start + max(pos, 0) + len(name.split()[-1]),
                      "sentiment": {"label": sentiment,
                                    "scores": _probs(sentiment, ("negative", "neutral", "positive"))}})
    return {
        "analysis_id": None, "article_id": article.article_id, "article_title": article.title,
        "published": article.published, "source": article.source,
        "statement_id": f"{article.article_id}:{i}", "start": start, "end": start + len(sentence),
        "text": sentence, "kind": kind, "speaker": speaker, "speaker_type": stype,
        "speaker_country": country,
        "speaker_mention": ({"start": start, "end": start + len(speaker.split()[-1]), "text": speaker.split()[-1]}
                            if speaker and speaker.split()[-1] in sentence else None),
        "cue": {"start": start, "end": start + 4, "text": sentence[:4]} if kind != "narrative" else None,
        "mentions": ments,
        "sentiment": {"label": sentiment, "scores": _probs(sentiment, ("negative", "neutral", "positive"), conf)},
        "stance": {t: {"label": lab, "scores": _probs(lab, ("favor", "against", "none"), conf)}
                   for t, lab in stances.items()},
        "models": {"sentiment": "fake:sentiment", "stance": "fake:stance"},
    }


def sample_result(copies: int = 1, title: str | None = "Talks on Ukraine") -> AnalysisResult:
    """A small but realistic analysis: two dated articles from two outlets, five speakers.

    ``copies`` > 1 repeats the articles under new ids (for scale tests), 9 statements each.
    """
    articles: list[Article] = []
    rows: list[dict[str, Any]] = []
    for c in range(copies):
        a1 = Article(
            article_id=f"a{c}-talks", title="Trump calls Putin, says talks good",
            source="Reuters", published="2025-08-26",
            text=('"Every conversation I have with him is a good conversation," Trump said. '
                  'Tajani said Italy backs a ceasefire in Ukraine. '
                  'Zelensky said sanctions on Russia must be tightened. '
                  'The Kremlin said there are no plans for talks. '
                  'Putin avoids Zelensky, Trump claimed.'),
        )
        a2 = Article(
            article_id=f"a{c}-rome", title="Rome hosts <b>allies</b> & *friends*",
            source="ANSA", published="2025-08-27",
            text=('Tajani told reporters that Rome wants peace now. '
                  '"We will never accept this," Zelensky said. '
                  'Trump said sanctions were not needed. '
                  'Talks continued late into the night.'),
        )
        articles += [a1, a2]
        T0, T1 = TARGETS
        spec = [
            (a1, '"Every conversation I have with him is a good conversation," Trump said.', "Donald Trump",
             "direct_quote", "positive", {T0: "favor", T1: "none"}, ("Vladimir Putin",)),
            (a1, "Tajani said Italy backs a ceasefire in Ukraine.", "Antonio Tajani", "indirect_quote",
             "positive", {T0: "favor", T1: "none"}, ()),
            (a1, "Zelensky said sanctions on Russia must be tightened.", "Volodymyr Zelensky", "indirect_quote",
             "negative", {T0: "none", T1: "favor"}, ()),
            (a1, "The Kremlin said there are no plans for talks.", "Kremlin", "indirect_quote", "negative",
             {T0: "against", T1: "none"}, ()),
            (a1, "Putin avoids Zelensky, Trump claimed.", "Donald Trump", "indirect_quote", "negative",
             {T0: "none", T1: "none"}, ("Vladimir Putin", "Volodymyr Zelensky")),
            (a2, "Tajani told reporters that Rome wants peace now.", "Antonio Tajani", "indirect_quote",
             "positive", {T0: "favor", T1: "none"}, ()),
            (a2, '"We will never accept this," Zelensky said.', "Volodymyr Zelensky", "direct_quote", "negative",
             {T0: "against", T1: "favor"}, ()),
            (a2, "Trump said sanctions were not needed.", "Donald Trump", "indirect_quote", "neutral",
             {T0: "none", T1: "against"}, ()),
            (a2, "Talks continued late into the night.", None, "narrative", "neutral", {T0: "none", T1: "none"}, ()),
        ]
        counters: dict[str, int] = {}
        for art, sentence, speaker, kind, sent, stances, ments in spec:
            i = counters.get(art.article_id, 0)
            counters[art.article_id] = i + 1
            rows.append(make_row(art, i, sentence, speaker=speaker, kind=kind, sentiment=sent,
                                 stances=stances, mentions=ments))
    actors = [Actor(name=n, type=t, country=c) for n, (t, c) in _ACTORS.items()]
    return AnalysisResult(articles=articles, rows=rows, actors=actors, targets=list(TARGETS),
                          models={"sentiment": "fake:sentiment", "stance": "fake:stance"},
                          settings={"batch_size": 32}, title=title)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database per test."""
    return f"sqlite:///{tmp_path / 'stancemap-test.db'}"


@pytest.fixture
def result() -> AnalysisResult:
    return sample_result()


@pytest.fixture
def make_result() -> Any:
    """The :func:`sample_result` builder, for tests that need several or bigger analyses."""
    return sample_result
