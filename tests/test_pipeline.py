"""The analyze pipeline: the example article's bar, row contract, batching, progress, targets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.ingest import article_from_text, load_inputs
from analysis.pipeline import CONTRACT_FIELDS, EXTRA_FIELDS, analyze, suggest_targets
from analysis.records import AnalysisResult
from tests.fakes_who import FakeSentiment, FakeStance

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"
BUNDLED = ROOT / "analysis" / "bundled"

# (phrase in the statement, speaker, country) of the example article's six direct quotes ...
EXAMPLE_DIRECT = [
    ("Yes, I have", "Donald Trump", "USA"),
    ("Every conversation I have with him", "Donald Trump", "USA"),
    ("Because he doesn't like him", "Donald Trump", "USA"),
    ("going to get the war done", "Donald Trump", "USA"),
    ("continue cooperation in diplomatic efforts", "Tommy Pigott", "USA"),
    ("highlighted the importance of concrete", "Antonio Tajani", "ITA"),
]
# ... and its five main indirect statements.
EXAMPLE_INDIRECT = [
    ("demining operations", "Antonio Tajani", "ITA"),
    ("no plans for such talks", "Moscow", "RUS"),
    ("was in sight", "Donald Trump", "USA"),
    ("Rubio spoke Monday in a joint call", "State Department", "USA"),
    ("had recently spoken with Russian President", "Donald Trump", "USA"),
]
EXAMPLE_COUNTRIES = {"Donald Trump": "USA", "Marco Rubio": "USA", "Tommy Pigott": "USA",
                     "Vladimir Putin": "RUS", "Volodymyr Zelensky": "UKR", "Antonio Tajani": "ITA"}


@pytest.fixture(scope="module")
def example() -> AnalysisResult:
    if not EXAMPLE.exists():
        pytest.skip("../shared/articles not present")
    articles, errors = load_inputs([str(EXAMPLE)])
    assert errors == []
    return analyze(articles, ["security guarantees for Ukraine"], sentiment_model=FakeSentiment(),
                   stance_model=FakeStance())


def _row(result: AnalysisResult, phrase: str) -> dict:
    rows = [r for r in result.rows if phrase in r["text"]]
    assert len(rows) == 1, phrase
    return rows[0]


@pytest.mark.parametrize(("phrase", "speaker", "country"), EXAMPLE_DIRECT)
def test_example_direct_quotes(example: AnalysisResult, phrase: str, speaker: str, country: str) -> None:
    row = _row(example, phrase)
    assert (row["kind"], row["speaker"], row["speaker_country"]) == ("direct_quote", speaker, country)


def test_example_has_exactly_six_direct_quotes(example: AnalysisResult) -> None:
    assert sum(r["kind"] == "direct_quote" for r in example.rows) == 6


@pytest.mark.parametrize(("phrase", "speaker", "country"), EXAMPLE_INDIRECT)
def test_example_indirect_statements(example: AnalysisResult, phrase: str, speaker: str, country: str) -> None:
    row = _row(example, phrase)
    assert (row["kind"], row["speaker"], row["speaker_country"]) == ("indirect_quote", speaker, country)


def test_example_countries_wherever_actors_speak_or_are_mentioned(example: AnalysisResult) -> None:
    actors = {a.name: a for a in example.actors}
    for name, country in EXAMPLE_COUNTRIES.items():
        assert actors[name].country == country, name
    seen: set[str] = set()
    for r in example.rows:
        if r["speaker"] in EXAMPLE_COUNTRIES:
            assert r["speaker_country"] == EXAMPLE_COUNTRIES[r["speaker"]]
        for m in r["mentions"]:
            if m["actor"] in EXAMPLE_COUNTRIES:
                seen.add(m["actor"])
                assert m["country"] == EXAMPLE_COUNTRIES[m["actor"]], m
    assert seen == set(EXAMPLE_COUNTRIES)


def test_example_published_and_narrative(example: AnalysisResult) -> None:
    assert {r["published"] for r in example.rows} == {"2025-08-26"}
    headline = _row(example, "fumes at Kyiv strikes")
    assert headline["kind"] == "narrative" and headline["speaker"] is None
    assert headline["section"] == "headline"


def test_rows_follow_the_contract(example: AnalysisResult) -> None:
    article = example.articles[0]
    ids = [r["statement_id"] for r in example.rows]
    assert len(ids) == len(set(ids))
    for r in example.rows:
        assert set(r) == set(CONTRACT_FIELDS) | set(EXTRA_FIELDS)
        assert article.text[r["start"]:r["end"]] == r["text"]
        assert r["kind"] in {"direct_quote", "indirect_quote", "narrative"}
        assert r["sentiment"]["label"] in {"negative", "neutral", "positive"}
        assert set(r["stance"]) == {"security guarantees for Ukraine"}
        assert r["models"] == {"sentiment": "fake:sentiment", "stance": "fake:stance"}
        for span in (r["speaker_mention"], r["cue"]):
            if span:
                assert article.text[span["start"]:span["end"]] == span["text"]
        for m in r["mentions"]:
            assert r["start"] <= m["start"] < m["end"] <= r["end"]
            assert m["sentiment"]["label"] in {"negative", "neutral", "positive"}
        if r["kind"] == "narrative":
            assert r["speaker"] is None


def test_one_batched_model_call_per_stage() -> None:
    sent, stance = FakeSentiment(), FakeStance()
    articles = [article_from_text("Trump said the deal was good. Putin said the war was bad.", "a"),
                article_from_text('"We will fight," Zelensky said. Officials agreed.', "b")]
    stages: list[str] = []
    result = analyze(articles, ["the deal", "the war"], sentiment_model=sent, stance_model=stance,
                     progress=lambda stage, done, total: stages.append(stage))
    assert len(sent.calls) == 1 and len(stance.calls) == 1
    texts, spans = sent.calls[0]
    n_mentions = sum(len(r["mentions"]) for r in result.rows)
    assert len(texts) == len(result.rows) + n_mentions
    assert sum(s is None for s in spans) == len(result.rows)
    assert len(stance.calls[0][0]) == 2 * len(result.rows)
    assert [s for s in dict.fromkeys(stages)] == ["statements", "sentiment", "stance"]
    assert result.rows[0]["stance"]["the deal"]["label"] == "favor"


def test_no_targets_means_no_stance_model() -> None:
    result = analyze([article_from_text("Trump said the deal was good.")], [],
                     sentiment_model=FakeSentiment(), stance_model=None)
    assert result.rows[0]["stance"] == {}
    assert result.models["stance"] is None


def test_overrides_reach_the_rows() -> None:
    result = analyze([article_from_text("Burton said cats are cute.")], [], sentiment_model=FakeSentiment(),
                     overrides={"Burton": "GBR"})
    assert result.rows[0]["speaker_country"] == "GBR"


def _who(rows: list[dict]) -> list[tuple]:
    return [(r["text"], r["speaker"], r["speaker_type"], r["speaker_country"], r["speaker_role"]) for r in rows]


def test_an_articles_rows_do_not_depend_on_the_batch() -> None:
    """A bare surname is never linked to a person of another article ("Kim said", meaning Kim
    Jong-un, must not become "Erin Kim"), and nothing else leaks between articles either."""
    city = article_from_text("Erin Kim, a spokeswoman for the Toronto council, said the budget was sound.", "city")
    korea = article_from_text("North Korea fired a missile on Monday. Kim said the test was a success.", "korea")
    alone = analyze([korea], [], sentiment_model=FakeSentiment())
    batch = analyze([city, korea], [], sentiment_model=FakeSentiment())
    in_batch = [r for r in batch.rows if r["article_id"] == "korea"]
    assert _who(in_batch) == _who(alone.rows)
    assert "Erin Kim" not in {r["speaker"] for r in in_batch}
    assert any(r["speaker"] == "Kim" for r in in_batch)


def test_an_article_merges_its_own_aliases() -> None:
    article = article_from_text("US President Donald Trump said talks went well. Trump said the deal was close.", "a")
    result = analyze([article], [], sentiment_model=FakeSentiment())
    assert {r["speaker"] for r in result.rows} == {"Donald Trump"}
    assert {r["speaker_country"] for r in result.rows} == {"USA"}


def test_suggest_targets() -> None:
    if not EXAMPLE.exists():
        pytest.skip("../shared/articles not present")
    articles, _ = load_inputs([str(EXAMPLE)])
    suggestions = suggest_targets(articles, limit=8)
    assert len(suggestions) == 8
    assert suggestions[0] == "Donald Trump"
    assert "security guarantees" in suggestions
    assert suggest_targets([], limit=8) == []


@pytest.mark.slow
@pytest.mark.skipif(not (BUNDLED / "sentiment" / "stancemap.json").exists()
                    or not (BUNDLED / "stance" / "stancemap.json").exists(),
                    reason="bundled models not trained yet")
def test_example_with_the_bundled_models() -> None:
    articles, _ = load_inputs([str(EXAMPLE)]) if EXAMPLE.exists() else ([article_from_text(
        '"We will win," Trump said.')], [])
    result = analyze(articles, ["a ceasefire"])
    assert result.models == {"sentiment": "bundled:sentiment", "stance": "bundled:stance"}
    assert all(set(r["stance"]["a ceasefire"]["scores"]) == {"favor", "against", "none"} for r in result.rows)
    # The analysis says what ran the models: ONNX Runtime int8 on CPU by default, fp32 on CUDA.
    import importlib.util

    from analysis.models import pick_device

    expected = ("onnx int8 (per-channel), CPU" if pick_device() == "cpu" and importlib.util.find_spec("onnxruntime")
                and os.environ.get("STANCEMAP_RUNTIME", "onnx-int8") == "onnx-int8" else None)
    assert set(result.settings["runtime"]) == {"sentiment", "stance", "attribution"}
    if expected:
        assert result.settings["runtime"] == {"sentiment": expected, "stance": expected, "attribution": expected}


def test_example_pasted_with_single_line_breaks() -> None:
    """Text pasted from a browser often has one line break between paragraphs."""
    if not EXAMPLE.exists():
        pytest.skip("../shared/articles not present")
    import re

    text = re.sub(r"\n\n+", "\n", EXAMPLE.read_text(encoding="utf-8"))
    result = analyze([article_from_text(text)], [], sentiment_model=FakeSentiment())
    for phrase, speaker, country in EXAMPLE_DIRECT + EXAMPLE_INDIRECT:
        row = _row(result, phrase)
        assert (row["speaker"], row["speaker_country"]) == (speaker, country), phrase
    assert _row(result, "fumes at Kyiv strikes")["section"] == "headline"


def _tiny_model(folder: Path, id2label: dict[int, str]) -> str:
    """A 2-layer random classifier with the MiniLM tokenizer (the real model classes, no weights)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from analysis.models import base_encoder_dir

    tokenizer = AutoTokenizer.from_pretrained(base_encoder_dir())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512,
                        num_labels=len(id2label), id2label=id2label,
                        label2id={v: k for k, v in id2label.items()})
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.mark.slow
def test_analyze_cli_with_real_model_classes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole path through analysis.models (loading, spans, batching) on tiny random models."""
    import json

    from analysis.__main__ import main

    sentiment = _tiny_model(tmp_path / "sent", {0: "negative", 1: "neutral", 2: "positive"})
    stance = _tiny_model(tmp_path / "stance", {0: "FAVOR", 1: "AGAINST", 2: "NONE"})
    article = tmp_path / "talks.txt"
    article.write_text('"We will win," Trump said. Russian officials said Kyiv was losing.', encoding="utf-8")
    rc = main(["analyze", str(article), "--model-sentiment", sentiment, "--model-stance", stance,
               "--targets", "a ceasefire", "--no-progress"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 0 and len(rows) == 2
    assert rows[0]["models"] == {"sentiment": sentiment, "stance": stance}
    for r in rows:
        assert abs(sum(r["sentiment"]["scores"].values()) - 1) < 1e-3
        assert set(r["stance"]["a ceasefire"]["scores"]) == {"favor", "against", "none"}
        for m in r["mentions"]:
            assert set(m["sentiment"]["scores"]) == {"negative", "neutral", "positive"}
    assert {m["actor"] for m in rows[1]["mentions"]} >= {"Russia", "Kyiv"}


BERLIN_EXPECTED = [
    # (phrase, kind, speaker, country)
    ("Germany pledges more air defence", "narrative", None, None),
    ("would send two more Patriot systems", "indirect_quote", "Friedrich Merz", "DEU"),
    ("We will not leave Ukraine alone", "direct_quote", "Friedrich Merz", "DEU"),
    ("needed at least ten more systems", "indirect_quote", "Volodymyr Zelenskiy", "UKR"),
    ("hit energy infrastructure", "indirect_quote", "Volodymyr Zelenskiy", "UKR"),
    ("would only prolong the conflict", "indirect_quote", "Dmitry Peskov", "RUS"),
    ("These weapons change nothing", "direct_quote", "Dmitry Peskov", "RUS"),
    ("captured two villages", "indirect_quote", "defence ministry", "RUS"),
    ("allies should follow", "indirect_quote", "Mark Rutte", None),
]


@pytest.mark.parametrize(("phrase", "kind", "speaker", "country"), BERLIN_EXPECTED)
def test_wire_story_speakers_and_countries(phrase: str, kind: str, speaker: str | None,
                                          country: str | None) -> None:
    [article], _ = load_inputs([str(Path(__file__).parent / "fixtures" / "who" / "berlin.txt")])
    result = analyze([article], [], sentiment_model=FakeSentiment())
    row = _row(result, phrase)
    assert row["kind"] == kind
    if speaker is None:
        assert row["speaker"] is None
    else:
        assert speaker in row["speaker"]
    assert row["speaker_country"] == country
    assert not any(r["text"].startswith("BERLIN") for r in result.rows)  # the dateline is left out


def test_an_article_that_breaks_the_rules_stage_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.pipeline as pipeline

    real = pipeline.extract_statements

    def flaky(article, overrides=None, tagged=None):  # type: ignore[no-untyped-def]
        if article.article_id == "bad":
            raise RecursionError("boom")
        return real(article, overrides, tagged=tagged)

    monkeypatch.setattr(pipeline, "extract_statements", flaky)
    result = analyze([article_from_text("Trump said yes.", "good"), article_from_text("Putin said no.", "bad")],
                     [], sentiment_model=FakeSentiment())
    assert {r["article_id"] for r in result.rows} == {"good"}
    assert [e.source for e in result.errors] == ["bad"] and "skipped" in result.errors[0].error


def test_duplicate_article_ids_still_give_unique_statement_ids() -> None:
    articles = [article_from_text("Trump said yes. Putin said no."), article_from_text("Trump said yes.")]
    result = analyze(articles, [], sentiment_model=FakeSentiment())
    ids = [r["statement_id"] for r in result.rows]
    assert len(ids) == len(set(ids)) == 3
    assert [a.article_id for a in result.articles] == ["pasted", "pasted-2"]


def test_the_attribution_tagger_adds_what_the_rules_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled tagger (analysis/bundled/attribution) finds demands and beliefs that no cue word
    of the rules reports, leaves plain narrative alone, and can be switched off."""
    from analysis.attribution_model import TAGGER_ENV, default_tagger

    text = ("Donald Trump is demanding that President Barack Obama make a pledge not to pardon Hillary Clinton. "
            "The weather in Ohio was cold on Tuesday, and the roads were icy.")
    tagger = default_tagger()
    tags = {(t.tag, text[t.start:t.end]) for t in tagger.tag(text)}
    assert ("SOURCE", "Donald Trump") in tags and ("CUE", "is demanding") in tags
    with_tagger = analyze([article_from_text(text, "t")], [], sentiment_model=FakeSentiment())
    assert [(r["kind"], r["speaker"]) for r in with_tagger.rows] == [("indirect_quote", "Donald Trump"),
                                                                     ("narrative", None)]
    assert with_tagger.settings["attribution_tagger"] == "bundled:attribution"
    monkeypatch.setenv(TAGGER_ENV, "off")
    rules_only = analyze([article_from_text(text, "t")], [], sentiment_model=FakeSentiment())
    assert [(r["kind"], r["speaker"]) for r in rules_only.rows] == [("narrative", None), ("narrative", None)]
    assert rules_only.settings["attribution_tagger"] is None


def test_rows_are_built_as_frozen_typed_records_and_leave_as_the_contract() -> None:
    """Issue 9, point 6: the pipeline builds each row once as a frozen StatementRow (labels as
    enums, scores as Score records) and hands out exactly the contract's fields, in order."""
    import dataclasses

    from analysis.labels import ActorType, StatementKind
    from analysis.records import MentionRow, Score, Span, StatementRow

    row = StatementRow(
        article_id="a", article_title="T", published=None, source=None, statement_id="a:0", start=0,
        end=29, text="Trump said the deal was good.", kind="indirect_quote", speaker="Donald Trump",
        speaker_type="person", speaker_country="USA", speaker_mention=Span(0, 5, "Trump"),
        cue=Span(6, 10, "said"),
        mentions=(MentionRow("Donald Trump", "person", "USA", 0, 5, "Trump",
                             Score("positive", {"positive": 0.7, "negative": 0.1, "neutral": 0.2})),),
        sentiment=Score("positive", {"positive": 0.6, "negative": 0.1, "neutral": 0.3}),
        stance={"the deal": Score("favor", {"favor": 0.8, "against": 0.1, "none": 0.1})},
        models={"sentiment": "s", "stance": "t"}, speaker_role="president",
        speaker_country_evidence="knowledge base", confidence=0.9, section="body")
    assert row.kind is StatementKind.INDIRECT_QUOTE and row.speaker_type is ActorType.PERSON
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.speaker = "someone else"  # type: ignore[misc]
    with pytest.raises(ValueError):
        dataclasses.replace(row, kind="rumour")
    out = row.to_contract()
    assert tuple(out) == CONTRACT_FIELDS + EXTRA_FIELDS
    assert out["kind"] == "indirect_quote" and out["speaker_type"] == "person"
    assert out["stance"]["the deal"]["label"] == "favor" and out["mentions"][0]["type"] == "person"
    assert out["speaker_mention"] == {"start": 0, "end": 5, "text": "Trump"}

    # What analyze hands out is that contract, row for row.
    result = analyze([article_from_text("Trump said the deal was good.")], ["the deal"],
                     sentiment_model=FakeSentiment(), stance_model=FakeStance())
    assert [tuple(r) for r in result.rows] == [CONTRACT_FIELDS + EXTRA_FIELDS]
    assert result.rows[0]["speaker"] == "Donald Trump" and set(result.rows[0]["stance"]) == {"the deal"}
