"""What the stance model reads besides the statement: the article's title and the text before it.

A news statement often names its target only as "it", "the plans" or "he"; the sentences before
it say what they are. The bundled stance model therefore reads
``target [SEP] statement [SEP] title | preceding text`` (see :func:`stance_second_segment`). The
context is cut by characters here, before tokenising, so that the statement itself is never
truncated and the sentences nearest to it are the last to go.

>>> build_context("Talks stall", "The plan was tabled on Monday. Critics hate it. It costs a lot.", 48)
'Talks stall | Critics hate it. It costs a lot.'
"""

from __future__ import annotations

import re

# About three news sentences; longer contexts cost speed (tokens) for little gain.
CONTEXT_CHARS = 400
TITLE_CHARS = 160
# Separates the statement from its context inside the model's second segment.
CONTEXT_SEP = " [SEP] "

_SENTENCE_END = re.compile(r"(?<=[.!?…”\"’])\s+")


def _tail(text: str, limit: int) -> str:
    """The last ``limit`` characters of ``text``, starting at a sentence (or at least a word)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    parts = _SENTENCE_END.split(cut, maxsplit=1)
    if len(parts) == 2 and parts[1]:
        return parts[1]
    space = cut.find(" ")
    return cut[space + 1:] if space >= 0 else cut


def build_context(title: str | None, before: str, limit: int = CONTEXT_CHARS) -> str:
    """The stance context: the title (if any), then about ``limit`` characters of ``before``.

    ``before`` is the article text up to the statement. The title is dropped from ``before``
    when the article text starts with it, so it is not read twice.
    """
    title = re.sub(r"\s+", " ", title or "").strip()[:TITLE_CHARS]
    before_clean = re.sub(r"\s+", " ", before).strip()
    if title and before_clean.startswith(title):
        before_clean = before_clean[len(title):].lstrip(" .")
    preceding = _tail(before_clean, limit)
    return " | ".join(p for p in (title, preceding) if p)


def context_for_statement(text: str, start: int, title: str | None, limit: int = CONTEXT_CHARS) -> str:
    """Context of the statement starting at character ``start`` of an article ``text``."""
    return build_context(title, text[:max(0, start)], limit)


def stance_second_segment(statement: str, context: str | None) -> str:
    """The second input segment of the bundled stance model: statement first, then context."""
    context = (context or "").strip()
    if not context:
        return statement
    if len(context) > CONTEXT_CHARS + TITLE_CHARS + 3:  # a caller's context: keep its end
        context = _tail(context, CONTEXT_CHARS + TITLE_CHARS)
    return f"{statement}{CONTEXT_SEP}{context}"
