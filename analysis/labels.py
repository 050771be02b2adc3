"""Label vocabularies, normalised once at the boundary (STYLE.md #5)."""

from __future__ import annotations

from enum import StrEnum


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Stance(StrEnum):
    FAVOR = "favor"
    AGAINST = "against"
    NONE = "none"


class StatementKind(StrEnum):
    DIRECT_QUOTE = "direct_quote"
    INDIRECT_QUOTE = "indirect_quote"
    NARRATIVE = "narrative"


class ActorType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    GROUP = "group"


SENTIMENT_LABELS: tuple[str, ...] = tuple(s.value for s in Sentiment)
STANCE_LABELS: tuple[str, ...] = tuple(s.value for s in Stance)


class CountryEvidence(StrEnum):
    """Why an actor carries its country (issue 9): shown on the Statements page."""

    TEXT = "text"                        # the article says it ("Russian President Vladimir Putin")
    KNOWLEDGE_BASE = "knowledge base"    # a gazetteer: leaders, politicians, parties, bodies, roles
    ARTICLE_CONTEXT = "article context"  # inferred: the country the article's institutions are in
    OVERRIDE = "override"                # the user's override file or a correction
