"""Typed records passed between the stages (ARCHITECTURE.md, "Data flow").

Article -> Statement -> Actor -> Score -> StatementRow -> AnalysisResult. The pipeline builds each
output row once, complete, as a frozen :class:`StatementRow`; ``to_contract()`` is the one place
it becomes the contract dict of ARCHITECTURE.md's CLI section, which the CLI, the exports, the
store and the dashboard read (a stored analysis is plain JSON, so rows travel as those dicts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .labels import ActorType, StatementKind

# One limit everywhere a target is typed, stored or carried in a link (the app, the CLI, share
# links): longer than this it is a paste gone wrong, not a target, and links must carry it whole.
MAX_TARGET_CHARS = 200


@dataclass(frozen=True)
class Article:
    """One news article. ``published`` is an ISO date (YYYY-MM-DD) or None."""

    article_id: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Actor:
    """A canonical speaker or mentioned entity. ``country`` is ISO 3166-1 alpha-3 or None;
    ``country_evidence`` (a labels.CountryEvidence value) says where it came from."""

    name: str
    type: ActorType  # a plain string given is converted (ValueError if it is no actor type)
    country: str | None = None
    role: str | None = None
    aliases: tuple[str, ...] = ()
    country_evidence: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ActorType(self.type))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["type"] = self.type.value
        d["aliases"] = list(self.aliases)
        return d


@dataclass(frozen=True)
class Score:
    """One classification: the winning label and the probability of every label."""

    label: str
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "scores": dict(self.scores)}

    @property
    def confidence(self) -> float:
        return self.scores[self.label]

    @classmethod
    def of(cls, value: Any) -> Score:
        """A Score from a model's answer: a Score, anything with ``to_dict()``, or a dict with
        "label" and "scores"."""
        if isinstance(value, Score):
            return value
        d = value.to_dict() if hasattr(value, "to_dict") else value
        return cls(str(d["label"]), {str(k): float(v) for k, v in d["scores"].items()})


@dataclass(frozen=True)
class Span:
    """Character offsets into the article and the text there (a cue, a speaker's mention)."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class MentionRow:
    """An actor or country named inside a statement, with the sentiment toward it."""

    actor: str
    type: ActorType
    country: str | None
    start: int
    end: int
    text: str
    sentiment: Score | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ActorType(self.type))

    def to_contract(self) -> dict[str, Any]:
        return {"actor": self.actor, "country": self.country, "type": self.type.value,
                "start": self.start, "end": self.end, "text": self.text,
                "sentiment": self.sentiment.to_dict() if self.sentiment else None}


@dataclass(frozen=True)
class StatementRow:
    """One output row: a statement with its speaker, mentions and scores (the CLI contract's
    fields, then the extra ones; ``to_contract()`` gives them in that order)."""

    article_id: str
    article_title: str | None
    published: str | None
    source: str | None
    statement_id: str
    start: int
    end: int
    text: str
    kind: StatementKind
    speaker: str | None
    speaker_type: ActorType | None
    speaker_country: str | None
    speaker_mention: Span | None
    cue: Span | None
    mentions: tuple[MentionRow, ...]
    sentiment: Score | None
    stance: Mapping[str, Score]
    models: Mapping[str, str | None]
    speaker_role: str | None
    speaker_country_evidence: str | None
    confidence: float
    section: str
    analysis_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", StatementKind(self.kind))
        if self.speaker_type is not None:
            object.__setattr__(self, "speaker_type", ActorType(self.speaker_type))

    def to_contract(self) -> dict[str, Any]:
        """The row as the contract's dict: CONTRACT_FIELDS, then EXTRA_FIELDS, in that order."""
        return {
            "analysis_id": self.analysis_id,
            "article_id": self.article_id,
            "article_title": self.article_title,
            "published": self.published,
            "source": self.source,
            "statement_id": self.statement_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind.value,
            "speaker": self.speaker,
            "speaker_type": self.speaker_type.value if self.speaker_type else None,
            "speaker_country": self.speaker_country,
            "speaker_mention": self.speaker_mention.to_dict() if self.speaker_mention else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "mentions": [m.to_contract() for m in self.mentions],
            "sentiment": self.sentiment.to_dict() if self.sentiment else None,
            "stance": {t: s.to_dict() for t, s in self.stance.items()},
            "models": dict(self.models),
            "speaker_role": self.speaker_role,
            "speaker_country_evidence": self.speaker_country_evidence,
            "confidence": self.confidence,
            "section": self.section,
        }


@dataclass(frozen=True)
class FileError:
    """A per-input failure reported to the user while the other inputs go through."""

    source: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnalysisResult:
    """Everything one run of ``analyze`` produced; what the store saves and the UI shows."""

    articles: list[Article]
    rows: list[dict[str, Any]]          # one per statement, contract fields
    actors: list[Actor]
    targets: list[str]
    models: dict[str, str]
    errors: list[FileError] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    analysis_id: str | None = None
    created: str | None = None          # ISO timestamp (UTC)
    title: str | None = None
    # False when loaded without its rows (store.load_analysis(with_rows=False)): a corpus's
    # dashboard charts the stored frames and fetches only the rows it lists.
    rows_loaded: bool = True
    n_statements: int | None = None     # as saved; len(rows) when the rows are loaded
