"""Segmentation: article text -> paragraphs -> sentences -> statement spans.

Every sentence is a statement; a quotation that runs over several sentences of a paragraph is
one statement. Headlines, photo captions and datelines at the top of an article are recognised
(``section`` = "headline" / "caption") so that a quoted word in a headline is never taken for a
quotation; a leading dateline ("date 2025-08-26", "WASHINGTON (Reuters) -") is left out of the
statement text. All offsets are character offsets into the article text.

>>> [s.text for s in split_sentences("Mr. Trump spoke. He left at 5 p.m. on Monday.")]
['Mr. Trump spoke.', 'He left at 5 p.m. on Monday.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tokens before a period that do not end a sentence (compared lower-cased, without the period).
ABBREVIATIONS: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "cmdr",
    "adm", "maj", "st", "jr", "sr", "rev", "pres", "amb", "hon", "atty", "supt", "insp", "no", "vs",
    "inc", "co", "corp", "ltd", "dept", "est", "approx", "fig", "mt", "ft", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u", "a.m", "p.m",
    "d.c", "calif", "fla", "ill", "mass", "wash", "ariz", "pa", "va", "ky", "tenn", "n.y", "n.j", "e.g",
    "i.e", "etc", "al", "coun", "cllr", "det", "const", "cpl", "pte", "lieut", "brig",
})

# The longest statement: a longer sentence (a transcript without punctuation, a badly extracted
# page, a run-on list) is cut at a word boundary, and multi-sentence quotations stop growing
# here. Every model pass and every mention's input is bounded by it, so work per statement is
# bounded whatever the input (news sentences are under 400 characters; 99.9% under 1,000).
MAX_STATEMENT_CHARS = 1500

OPEN_QUOTES = "“‘«"
CLOSE_QUOTES = "”’»"
_SENT_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+|$)")
_DATELINE_PREFIX = re.compile(
    r"\s*(?:(?:date|published|updated|posted)\s*[:\-]?\s*\d{4}-\d{2}-\d{2}\s*"
    r"|[A-Z][A-Z .,'-]{2,40}(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,?\s+\d{4})?)?\s*"
    r"(?:\([A-Za-z .]+\))?\s*[-—–]+\s+"
    # "Washington (AFP) – ": a place in title case needs the agency in brackets to count.
    r"|[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}(?:,\s+[A-Z][a-z.]+)?\s*\((?:AP|AFP|Reuters|CNN|UPI|dpa|"
    r"Xinhua|Bloomberg|Sputnik|TASS|Interfax|PA|IANS|PTI|ANI|CP|The Canadian Press|Associated Press)\)"
    r"\s*[-—–]+\s+)"
)
# A caption ends with a credit: "— Reuters", "(AP Photo)", "Photo: AFP", "/ Getty Images".
_CAPTION_CREDIT = re.compile(
    r"(?:[—–/|-]\s*(?:Reuters|AP|AFP|Getty Images|EPA|Bloomberg|Xinhua|Anadolu|File|AP Photo|"
    r"AFP via Getty Images|Shutterstock)\b[^.]{0,40}\.?\s*$"
    r"|\((?:[A-Z][\w.]*\s?){1,3}Photo[^)]*\)\s*$|\((?:Photo|Image|Credit)\s*:[^)]*\)\s*$"
    r"|^(?:Photo|Image|File photo|Picture)\s*[:|]|(?:Photo(?:graph)?|Image) by [^.]{2,60}$)",
    re.I,
)


_ATTRIBUTION_AFTER = re.compile(
    r"(?:[A-Z][\w.’'\-]*\s+){1,4}(?:said|says|asked|asks|added|told|wrote|replied|shouted|"
    r"continued|insisted|explained|joked|wondered)\b"
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class Segment:
    """A statement span before attribution: one sentence, or several joined by a quotation."""

    start: int
    end: int
    text: str
    paragraph: int
    section: str = "body"  # body | headline | caption


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blocks separated by blank lines.

    Inside a block, a line break after a line that ends without punctuation and is short (a
    headline above the body) also separates; other single line breaks are soft wraps.
    """
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        block_start = m.start()
        pos = block_start
        lines = list(re.finditer(r"[^\n]+", m.group()))
        for i, line in enumerate(lines):
            content = line.group().strip()
            last = i == len(lines) - 1
            short_title = (len(content) < 120 and not re.search(r"[.!?:;,\"”’)]$", content)
                           and len(lines) > 1)
            # A line that ends a sentence ends a paragraph too: pasted web text puts one line
            # break between paragraphs; hard-wrapped text rarely breaks right after a period.
            ends_sentence = bool(re.search(r"[.!?][\"”’)]*$", content))
            if last or short_title or ends_sentence or _CAPTION_CREDIT.search(content):
                end = block_start + line.end()
                if text[pos:end].strip():
                    spans.append(_strip_span(text, pos, end))
                pos = end + 1
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` belongs to an abbreviation or an initial."""
    m = re.search(r"([A-Za-z.]+)$", text[max(0, dot - 40):dot])
    if not m:
        return False
    word = m.group(1).lower().strip(".")
    if word == "no":  # "No. 10" abbreviates "number"; "Ukraine said no. Then" ends a sentence
        return text[dot + 1:dot + 4].lstrip()[:1].isdigit()
    if word in ABBREVIATIONS:
        return True
    # Single initials ("John F. Kennedy") and dotted acronyms ("U.S.")
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str, start: int = 0, end: int | None = None,
                    paragraph: int = 0) -> list[Sentence]:
    """Sentences of ``text[start:end]`` with absolute offsets."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        stop = m.end()
        nxt = text[stop:end].lstrip()
        if not nxt:
            continue
        if m.group()[0] == "." and len(m.group().rstrip("\"”’»)]")) == 1 and _is_abbreviation(text, m.start()):
            # "U.S. officials" is no boundary, but "... in the U.S. The next" is: the abbreviation
            # ends a sentence only when an uppercase word follows that is not a name part.
            word = re.search(r"([A-Za-z.]+)$", text[max(0, m.start() - 40):m.start()])
            w = word.group(1).lower().strip(".") if word else ""
            if not (w in {"u.s", "u.k", "a.m", "p.m", "etc", "d.c"} and re.match(r"(?:The|He|She|They|It|But|In|A)\b", nxt)):
                continue
        # A lower-case continuation is no new sentence ("he said. and" is rare; "5 p.m. on" common).
        if nxt[0].islower() or nxt[0] in ",;:":
            continue
        # '"… our greatest shame." ― Sonya Herridge': a signature after a dash ends nothing.
        gap = text[stop:end][:len(text[stop:end]) - len(nxt)]   # the blanks before the next word
        if m.group()[-1] in "\"”’»" and nxt[0] in "―—–" and "\n" not in gap:
            continue
        # '"… angry?" Clinton asked.': a question or exclamation inside a quotation followed by
        # its attribution does not end the sentence.
        if m.group()[-1] in "\"”" and m.group()[0] in "?!" and _ATTRIBUTION_AFTER.match(nxt):
            continue
        s, e = _strip_span(text, pos, stop)
        if e > s:
            out.extend(_bounded(text, s, e, paragraph))
        pos = stop
    s, e = _strip_span(text, pos, end)
    if e > s:
        out.extend(_bounded(text, s, e, paragraph))
    return out


def _bounded(text: str, start: int, end: int, paragraph: int) -> list[Sentence]:
    """``text[start:end]`` as one sentence, or cut into pieces of at most MAX_STATEMENT_CHARS,
    each ending after a comma or semicolon where one is near the limit, else at a space."""
    out: list[Sentence] = []
    while end - start > MAX_STATEMENT_CHARS:
        window = text[start:start + MAX_STATEMENT_CHARS]
        cut = max(window.rfind(", "), window.rfind("; "))
        if cut < MAX_STATEMENT_CHARS // 2:
            cut = window.rfind(" ")
        cut = start + (cut + 1 if cut > 0 else MAX_STATEMENT_CHARS)
        s, e = _strip_span(text, start, cut)
        if e > s:
            out.append(Sentence(s, e, text[s:e], paragraph))
        start, end = _strip_span(text, cut, end)
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph))
    return out


def normalize_quote_marks(text: str) -> str:
    """The text with ``''`` and ``` `` ``` quotation marks (old newswire style) written as ``" ``.

    Same length as the input, so every offset stays valid; only quotation finding uses it.
    """
    if "''" not in text and "``" not in text:
        return text
    return re.sub(r"''|``", '" ', text)


def quote_depth_change(text: str, depth: int = 0) -> int:
    """The quotation depth after ``text``, starting from ``depth``: +1 per opening and -1 per
    closing double quotation mark (a straight quote closes when one is open and it follows a
    non-space, else it opens)."""
    for i, ch in enumerate(text):
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
        elif ch == '"':
            prev = text[i - 1] if i else " "
            if depth > 0 and not (prev.isspace() or prev in "([{—–-"):
                depth -= 1
            elif prev.isspace() or prev in "([{—–-" or i == 0:
                depth += 1
            elif depth > 0:
                depth -= 1
    return depth


def _section_of(text: str, index: int, n_paragraphs: int, body_seen: bool,
                body_follows: bool = True) -> str:
    stripped = text.strip()
    if _CAPTION_CREDIT.search(stripped):
        return "caption"
    if body_seen or not body_follows or index > 4 or stripped[:1] in "\"“‘'":
        return "body"
    words = len(stripped.split())
    # The top of an article: short single-sentence paragraphs before the first real paragraph
    # are the headline and standfirst ("Trump calls Putin, says talks “good”"), not quotations.
    if words <= 25 and len(split_sentences(stripped)) <= 1 and n_paragraphs > 1:
        return "headline"
    return "body"


def segment(text: str) -> list[Segment]:
    """Statement spans of an article: sentences, with multi-sentence quotations joined.

    A quotation left open at the end of a sentence is joined with the following sentences of
    the same paragraph until it closes (news style does not close a quote at a paragraph break
    when the next paragraph continues it; such a quote is cut at the paragraph end).
    """
    paras = paragraphs(text)
    qtext = normalize_quote_marks(text)
    out: list[Segment] = []
    body_seen = False
    for p_index, (p_start, p_end) in enumerate(paras):
        m = _DATELINE_PREFIX.match(text, p_start, p_end)
        if m and not text[m.end():p_end].strip():
            continue  # a paragraph that is only a dateline ("date 2025-08-26") is no statement
        if m and m.end() < p_end:
            p_start = m.end()
            while p_start < p_end and text[p_start].isspace():
                p_start += 1
        para_text = text[p_start:p_end]
        if not para_text.strip():
            continue
        body_follows = any(len(text[a:b].split()) > 25 for a, b in paras[p_index + 1:p_index + 6])
        section = _section_of(para_text, p_index, len(paras), body_seen, body_follows)
        if section == "body" and len(para_text.split()) > 25:
            body_seen = True
        sentences = split_sentences(text, p_start, p_end, p_index)
        if section == "caption" and sentences:
            # One caption is one statement, credits included.
            last = max((x for x in sentences if x.end - sentences[0].start <= MAX_STATEMENT_CHARS),
                       key=lambda x: x.end, default=sentences[0])
            out.append(Segment(sentences[0].start, last.end, text[sentences[0].start:last.end], p_index, "caption"))
            out.extend(Segment(x.start, x.end, x.text, p_index, "caption") for x in sentences if x.start >= last.end)
            continue
        i = 0
        para_out: list[Segment] = []
        while i < len(sentences):
            first = sentences[i]
            depth = quote_depth_change(qtext[first.start:first.end])
            j = i
            while depth > 0 and j + 1 < len(sentences) and sentences[j + 1].end - first.start <= MAX_STATEMENT_CHARS:
                j += 1
                depth = quote_depth_change(qtext[sentences[j].start:sentences[j].end], depth)
            last = sentences[j]
            para_out.append(Segment(first.start, last.end, text[first.start:last.end], p_index, section))
            i = j + 1
        out.extend(_join_interrupted_quotes(para_out, text, qtext) if section == "body" else para_out)
    return out


# A quotation interrupted by its attribution: '"I loved it," she said. "I was so happy."'
_SHORT_TAIL = re.compile(r'^[,.]?\s*(?:[\w.\-’\']+[\s,]*){1,8}\.?$')


def _join_interrupted_quotes(segs: list[Segment], text: str, qtext: str) -> list[Segment]:
    out: list[Segment] = []
    for seg in segs:
        if out:
            prev = out[-1]
            ptext = qtext[prev.start:prev.end]
            last_close = max(ptext.rfind("”"), ptext.rfind('"'))
            starts_quote = qtext[seg.start:seg.start + 1] in ("“", '"')
            if (starts_quote and last_close > 0 and ptext[:1] in ("“", '"') and seg.end - prev.start <= MAX_STATEMENT_CHARS
                    and _SHORT_TAIL.match(ptext[last_close + 1:].strip())):
                out[-1] = Segment(prev.start, seg.end, text[prev.start:seg.end], prev.paragraph, prev.section)
                continue
        out.append(seg)
    return out
