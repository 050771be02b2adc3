"""Typed records passed between the stages (ARCHITECTURE.md, "Data flow").

Article -> Statement -> Actor -> scores -> AnalysisResult. Rows handed to users (CLI, store,
dashboard) are plain dicts with exactly the contract fields of ARCHITECTURE.md's CLI section.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .labels import ActorType

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
