"""Statements, kinds, cues and speakers (table-driven, with negative cases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.quotes import extract_statements_from_text, is_real_quote, quote_spans
from analysis.segment import segment, split_sentences

DIRECT, INDIRECT, NARRATIVE = "direct_quote", "indirect_quote", "narrative"


def _only(text: str):  # the single statement of a one-sentence text
    statements, _, actors = extract_statements_from_text(text)
    assert len(statements) == 1, [s.text for s in statements]
    return statements[0], actors


@pytest.mark.parametrize(
    ("text", "speaker", "kind", "cue"),
    [
        # direct quotations, attribution after, before (colon) and inverted
        ('"We will win this war," Trump said.', "Trump", DIRECT, "said"),
        ('"Yes, I have," Trump told reporters when asked about it.', "Trump", DIRECT, "told"),
        ('Trump replied: "Every conversation I have with him is a good conversation."', "Trump", DIRECT, "replied"),
        ('"The talks were useful," said Kremlin spokesman Dmitry Peskov.', "Dmitry Peskov", DIRECT, "said"),
        ("''There is no deal yet,'' said Senator John Smith of Ohio.", "John Smith", DIRECT, "said"),
        ('The ministers agreed to "continue cooperation in diplomatic efforts," State Department spokesman Tommy Pigott said.',
         "Tommy Pigott", DIRECT, "said"),
        # indirect speech and attribution
        ("Trump said Monday he had recently spoken with Putin.", "Trump", INDIRECT, "said"),
        ("The State Department said that Rubio spoke in a joint call.", "State Department", INDIRECT, "said"),
        ("Moscow has since said there are no plans for such talks.", "Moscow", INDIRECT, "said"),
        ("The Kremlin warned that any deployment would be a provocation.", "Kremlin", INDIRECT, "warned"),
        ("Ukraine would get security guarantees, according to Foreign Minister Andrii Sybiha.", "Andrii Sybiha", INDIRECT, "according to"),
        ("Officials said the border would reopen on Friday.", "Officials", INDIRECT, "said"),
        ("Sixty percent said they would vote for the plan.", "Sixty percent", INDIRECT, "said"),
        ("Senator Jane Doe, the committee chairwoman, said the bill would pass.", "Jane Doe", INDIRECT, "said"),
        ("Tajani highlighted the importance of security guarantees for Ukraine.", "Tajani", INDIRECT, "highlighted"),
        ("Foreign Minister Antonio Tajani called for guarantees to Ukraine.", "Antonio Tajani", INDIRECT, "called"),
        ("Senate Minority Leader Harry M. Reid (D-Nev.) told reporters that the law was broken.",
         "Harry M. Reid", INDIRECT, "told"),
        ("Ms. Warren went on to say the plan would fail.", "Warren", INDIRECT, "say"),
        ("Breitbart News, for one, noted the difference between the two cases.", "Breitbart News", INDIRECT, "noted"),
        ("Col. Lawrence Wilkerson brought up the bombing and later said it was wrong.", "Lawrence Wilkerson", INDIRECT, "said"),
        ("Sen. Elizabeth Warren appeared on television on Thursday and endorsed Clinton, saying she was ready.",
         "Elizabeth Warren", INDIRECT, "saying"),
        # a long appositive opened by a role noun, and "said of" naming what was spoken of
        ("''It has the virtue of being fiscally responsible,'' Leonard E. Burman, director of the centrist "
         "Urban-Brookings Tax Policy Center and a professor at the Maxwell School of Syracuse University, "
         "said of Mrs. Clinton's plan.", "Leonard E. Burman", DIRECT, "said"),
        # the reporting verb that opens the sentence wins over one inside its content
        ("Chinese Foreign Ministry spokesman Lu Kang repeated that China opposed hacking and acted against it.",
         "Lu Kang", INDIRECT, "repeated"),
        # a title-case wire dateline is not the subject of the sentence after it
        ("Washington (AFP) – Democrat Hillary Clinton has taken a swipe at Donald Trump's stance on Brexit, "
         "saying that bombastic comments do more harm than good.", "Hillary Clinton", INDIRECT, "saying"),
        # an opening participle clause reports what the main clause's subject said
        ("Having announced that he would not send me to prison, Judge Berman proceeded to sentence me.",
         "Berman", INDIRECT, "announced"),
        # a party-and-state parenthesis between the name and a comma before the cue
        ('Gov. John Kasich (R-OH), said, "I am getting ready to rent a covered wagon."', "John Kasich", DIRECT, "said"),
        # negatives: scare quotes, belief verbs, no cue, cue without a speaker
        ('Burton thinks that cats are "cuties".', None, NARRATIVE, None),
        ('Critics dismissed the plan as a "peace deal" in name only.', "Critics", INDIRECT, "dismissed"),
        ('The so-called "peace plan" was published on Monday.', None, NARRATIVE, None),
        ("Trump held a summit with Putin in Alaska on August 15.", None, NARRATIVE, None),
        ("When asked about the summit, the room fell silent.", None, NARRATIVE, None),
        ("The race was called on Tuesday night.", None, NARRATIVE, None),
        ("She works at a brewery offering a special beer called Liberty.", None, NARRATIVE, None),
    ],
)
def test_speaker_kind_and_cue(text: str, speaker: str | None, kind: str, cue: str | None) -> None:
    st, _ = _only(text)
    assert st.kind == kind
    if speaker is None:
        assert st.speaker is None
    else:
        assert st.speaker is not None and speaker.lower() in st.speaker.lower()
        assert st.speaker_mention is not None
    assert (st.cue.text if st.cue else None) == cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # pronoun -> the last speaker
        ('Trump said a deal was in sight. "I think we\'re going to get the war done," he said.',
         [("Trump", INDIRECT), ("Trump", DIRECT)]),
        # "he" after a quote inside the statement -> the name at its start
        ('Tajani "highlighted the importance of concrete security guarantees for Ukraine," he said.',
         [("Tajani", DIRECT)]),
        # she vs he: gender from the honorific
        ('Mrs. Clinton arrived first. Mr. Sanders followed. She said the plan was too expensive.',
         [(None, NARRATIVE), (None, NARRATIVE), ("Clinton", INDIRECT)]),
        # description -> most recent person of that country
        ('Russian President Vladimir Putin met envoys. The Russian leader said talks were useful.',
         [(None, NARRATIVE), ("Vladimir Putin", INDIRECT)]),
        ('Foreign Minister Antonio Tajani of Italy met Rubio. The Italian minister said demining could start soon.',
         [(None, NARRATIVE), ("Antonio Tajani", INDIRECT)]),
        # relative pronoun -> antecedent
        ('Trump, who said the talks were good, left early.', [("Trump", INDIRECT)]),
        # a paragraph that continues the previous quotation keeps its speaker
        ('"We will not give up," Zelensky said.\n\n"Ukraine will defend every village and every city."',
         [("Zelensky", DIRECT), ("Zelensky", DIRECT)]),
    ],
)
def test_coreference(text: str, expected: list[tuple[str | None, str]]) -> None:
    statements, _, _ = extract_statements_from_text(text)
    got = [(s.speaker, s.kind) for s in statements]
    assert len(got) == len(expected), got
    for (speaker, kind), (exp_speaker, exp_kind) in zip(got, expected, strict=True):
        assert kind == exp_kind, got
        if exp_speaker is None:
            assert speaker is None, got
        else:
            assert speaker is not None and exp_speaker in speaker, got


def test_multi_sentence_quotation_is_one_statement() -> None:
    text = ('Asked how the talks went, Trump replied: "Every conversation is good. And then a bomb '
            'is loaded up into Kyiv, and I get very angry about it." Later he left.')
    statements, _, _ = extract_statements_from_text(text)
    assert len(statements) == 2
    assert statements[0].kind == DIRECT and statements[0].text.endswith('angry about it."')


def test_interrupted_quotation_is_one_statement() -> None:
    text = '"We will win," he said. "Ukraine will never surrender."'
    statements, _, _ = extract_statements_from_text(text)
    assert len(statements) == 1


def test_sentence_with_two_speakers_is_split() -> None:
    text = ("Trump said Putin had agreed to hold a meeting with Zelensky, "
            "but Moscow has since said there are no plans for such talks.")
    statements, _, _ = extract_statements_from_text(text)
    assert [(s.speaker, s.kind) for s in statements] == [
        ("Donald Trump", INDIRECT), ("Moscow", INDIRECT)]
    assert statements[1].text.startswith("but Moscow")


def test_headlines_and_captions_are_not_quotes() -> None:
    text = ("Trump calls Putin, says talks “good” but fumes at Kyiv strikes.\n\n"
            "Claims Putin avoids Zelensky “because he doesn’t like him.”\n\n"
            "US President Donald Trump and Russian President Vladimir Putin shake hands in Helsinki. — Reuters\n\n"
            "Voicing optimism about ending the war, US President Donald Trump said Monday he had recently "
            "spoken with Russian President Vladimir Putin following his Washington meeting with European leaders.")
    statements, _, _ = extract_statements_from_text(text)
    assert [s.section for s in statements] == ["headline", "headline", "caption", "body"]
    assert all(s.kind != DIRECT for s in statements)
    assert statements[-1].kind == INDIRECT


def test_dateline_is_left_out_of_the_statement() -> None:
    text = "WASHINGTON (Reuters) - The State Department said on Monday that talks would resume next week in Geneva."
    statements, _, _ = extract_statements_from_text(text)
    assert statements[0].text.startswith("The State Department")
    assert statements[0].speaker == "State Department"


def test_offsets_point_into_the_text() -> None:
    text = 'Intro line here.\n\n"We will win," Trump said. The State Department said that talks resume.'
    statements, _, _ = extract_statements_from_text(text)
    for s in statements:
        assert text[s.start:s.end] == s.text
        if s.cue:
            assert text[s.cue.start:s.cue.end] == s.cue.text
        if s.speaker_mention:
            assert text[s.speaker_mention.start:s.speaker_mention.end] == s.speaker_mention.text


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Mr. Trump met Sen. Graham in Washington, D.C. on Monday. They talked.", 2),
        ("The U.S. military said it was ready. Officials agreed.", 2),
        ("He left at 5 p.m. on Monday. Nobody noticed.", 2),
        ("John F. Kennedy spoke. Then he left!", 2),
        ('"Is this it?" she asked. "Yes."', 2),
    ],
)
def test_sentence_splitting(text: str, n: int) -> None:
    assert len(split_sentences(text)) == n


@pytest.mark.parametrize(
    ("text", "real"),
    [
        ('"Yes, I have," Trump said.', True),
        ('He called it a "witch hunt".', False),
        ('Burton thinks that cats are "cuties".', False),
        ('He said talks would "continue cooperation in diplomatic efforts".', True),
    ],
)
def test_real_quote_versus_scare_quote(text: str, real: bool) -> None:
    [(qs, qe)] = quote_spans(text)
    assert is_real_quote(text, qs, qe) is real


def test_segment_sections_of_plain_body() -> None:
    text = "One sentence here. Another one follows with a bit more text to read."
    assert [s.section for s in segment(text)] == ["body", "body"]


# --- the PolNeAR attribution measure (scripts/eval_attribution.py) -------------------------

POLNEAR_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "polnear_dev.jsonl"


def _load_eval():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "eval_attribution.py"
    spec = importlib.util.spec_from_file_location("eval_attribution", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_attribution_measure_on_a_hand_made_document(tmp_path: Path) -> None:
    text = 'Trump said the deal was close. "We will win," he said. The sky was blue.'

    def span(sub: str, nth: int = 0) -> dict:
        import re

        start = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(sub)}(?!\w)", text)][nth]
        return {"start": start, "end": start + len(sub), "text": sub}

    doc = {"text": text, "attributions": [
        {"type": "Attribution", "source": [span("Trump")], "cue": [span("said")],
         "content": [span("the deal was close")]},
        {"type": "Attribution", "source": [span("he")], "cue": [span("said", 1)],
         "content": [span('"We will win,"')]},
        {"type": "Attribution", "source": [span("Trump")], "cue": [], "content": [span("The sky was blue")]},
        {"type": "Attribution-no-source", "source": [], "cue": [], "content": [span("The sky")]},
    ]}
    path = tmp_path / "mini.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    r = _load_eval().evaluate(str(path))
    # 3 gold with a source; 2 predicted quotes, both right; the narrative sentence is missed.
    assert (r["gold"], r["predicted"], r["found"]) == (3, 2, 2)
    assert r["precision"] == 1.0 and r["recall"] == pytest.approx(2 / 3)


@pytest.mark.skipif(not POLNEAR_DEV.exists(), reason="../shared/data/polnear not present")
def test_polnear_dev_f1_stays_above_the_bar() -> None:
    r = _load_eval().evaluate(str(POLNEAR_DEV))
    assert r["f1"] >= 0.60, r
    assert r["precision"] >= 0.75, r


@pytest.mark.parametrize(
    "caption",
    [
        "Trump and Putin shake hands in Helsinki, July 16, 2018. — Reuters",
        "Zelensky speaks to reporters in Kyiv. (AP Photo/Efrem Lukatsky)",
        "FILE PHOTO: Tajani attends a meeting in Rome, Italy.",
        "Rubio arrives at the State Department. Photo by Jane Roe/Getty Images",
        "Putin said to be \"very angry\" at strikes, officials say / AFP via Getty Images",
    ],
)
def test_photo_captions_are_recognised(caption: str) -> None:
    body = ("Voicing optimism about ending the war, US President Donald Trump said Monday he had "
            "recently spoken with Russian President Vladimir Putin following his Washington meeting.")
    statements, _, _ = extract_statements_from_text(caption + "\n\n" + body)
    assert statements[0].section == "caption"
    assert statements[0].kind == "narrative" and statements[0].speaker is None


@pytest.mark.parametrize(
    ("text", "kind", "start"),
    [
        ('"We will win," Smith\u200b said.', DIRECT, 0),        # zero-width space before the cue
        ("The plan is good, Smith said\u200b.", INDIRECT, 0),
        ('\ufeff\n\n\n"We will win," Smith said.', DIRECT, 4),  # BOM and blank lines first
        ('"We will win,"\u2060 Smith said.', DIRECT, 0),        # word joiner
    ],
)
def test_invisible_format_characters_neither_break_nor_shift(text: str, kind: str, start: int) -> None:
    statement, _ = _only(text)
    assert (statement.kind, statement.speaker, statement.start) == (kind, "Smith", start)
    assert text[statement.start:statement.end] == statement.text  # offsets still into the original


@pytest.mark.parametrize(
    ("text", "kind", "cue"),
    [
        ("The plan is dead, according to Smith.", INDIRECT, "according to"),  # a lone surname as source
        ("According to Smith, the plan is dead.", INDIRECT, "According to"),
        ("Smith quipped that the budget was fine.", INDIRECT, "quipped"),
        ('"We are ready," Smith retorted.', DIRECT, "retorted"),
    ],
)
def test_reporting_forms_beyond_said(text: str, kind: str, cue: str) -> None:
    statement, _ = _only(text)
    assert (statement.kind, statement.speaker, statement.cue.text if statement.cue else None) == (kind, "Smith", cue)


def test_no_statement_is_longer_than_the_bound_whatever_the_input() -> None:
    """A transcript without punctuation or a run-on page is cut, so work per statement is bounded."""
    from analysis.segment import MAX_STATEMENT_CHARS, segment

    for text in ("x" * 200_000, "Some words here, and more " * 3000, ("word " * 30 + ". ") * 2000,
                 '"' + "He said it was fine and then he said it again " * 200 + '"'):
        segs = segment(text)
        assert max(len(s.text) for s in segs) <= MAX_STATEMENT_CHARS
        # Nothing is lost: the pieces cover every character of the input, in order.
        assert "".join("".join(s.text.split()) for s in segs) == "".join(text.split())


def test_said_no_ends_a_sentence_but_no_10_does_not() -> None:
    from analysis.segment import split_sentences

    assert [s.text for s in split_sentences("He lives at No. 10 Downing St. today. Ukraine said no. Then left.")] == \
        ["He lives at No. 10 Downing St. today.", "Ukraine said no.", "Then left."]


def test_a_transcript_turn_is_its_speakers_to_the_end_of_the_paragraph() -> None:
    text = ("TAPPER: Do you think Donald Trump has campaigned as a racial healer?\n\n"
            "FALLIN: I think he is trying to campaign as a racial healer. They want safe homes. "
            "They want safe streets.\n\nThe interview ended there.")
    statements, _, _ = extract_statements_from_text(text)
    # "They want ..." is Fallin speaking, not a statement by "they".
    assert [s.speaker for s in statements] == ["Tapper", "Fallin", "Fallin", "Fallin", None]
    assert [s.kind for s in statements][2:] == [DIRECT, DIRECT, NARRATIVE]
