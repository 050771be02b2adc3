"""Model layer: hub/local loading (text-classification, pair classifier, zero-shot NLI) on tiny
random models built here, batching/caching behaviour, clear errors; bundled models on
unambiguous sentences when they are present."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import models
from analysis.errors import ModelUnavailable

SENTENCES = [
    "Trump said the talks went well.",
    "A very long sentence about the war in Ukraine and the many rounds of negotiations that "
    "followed, with ministers from Italy, France and Germany meeting in Brussels.",
    "No.",
    "Moscow has said it has no plans for talks.",
]


def _tiny_model(folder: Path, id2label: dict[int, str]) -> str:
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(models.base_encoder_dir())
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512, num_labels=len(id2label),
        id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    import torch

    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def tiny_sentiment(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _tiny_model(tmp_path_factory.mktemp("sent"), {0: "negative", 1: "neutral", 2: "positive"})


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _tiny_model(tmp_path_factory.mktemp("nli"), {0: "entailment", 1: "neutral", 2: "contradiction"})


@pytest.fixture(scope="module")
def tiny_stance(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _tiny_model(tmp_path_factory.mktemp("stance"), {0: "FAVOR", 1: "AGAINST", 2: "NONE"})


def _probabilities_ok(score: models.Score, labels: tuple[str, ...]) -> None:
    assert set(score.scores) == set(labels)
    assert abs(sum(score.scores.values()) - 1) < 1e-4
    assert score.label == max(score.scores, key=score.scores.__getitem__)


def test_local_text_classifier_scores_every_text_in_order(tiny_sentiment: str) -> None:
    model = models.load_sentiment_model(tiny_sentiment)
    batched = model.score(SENTENCES, batch_size=3)
    models.SCORE_CACHE.clear()
    one_by_one = [model.score([s], batch_size=1)[0] for s in SENTENCES]
    assert len(batched) == len(SENTENCES)
    for a, b in zip(batched, one_by_one, strict=True):
        _probabilities_ok(a, ("negative", "neutral", "positive"))
        # Sorting by length and padding per batch must not change any score or its position.
        for label in a.scores:
            assert a.scores[label] == pytest.approx(b.scores[label], abs=1e-4)


def test_repeated_texts_come_from_the_cache(tiny_sentiment: str) -> None:
    model = models.load_sentiment_model(tiny_sentiment)
    models.SCORE_CACHE.clear()
    calls = []
    real_forward = model.scorer.forward

    def counting(batch: dict) -> object:
        calls.append(len(batch["input_ids"]))
        return real_forward(batch)

    model.scorer.forward = counting
    try:
        first = model.score(SENTENCES + SENTENCES[:2], batch_size=64)
        assert sum(calls) == len(SENTENCES)  # duplicates inside one call are scored once
        second = model.score(SENTENCES, batch_size=64)
        assert sum(calls) == len(SENTENCES)  # and nothing is re-scored on the next call
        assert [s.scores for s in second] == [s.scores for s in first[: len(SENTENCES)]]
    finally:
        model.scorer.forward = real_forward


def test_pair_stance_classifier_maps_its_labels(tiny_stance: str) -> None:
    model = models.load_stance_model(tiny_stance)
    assert model.hypothesis_templates is None
    scores = model.score(SENTENCES, ["a negotiated peace deal"] * len(SENTENCES))
    for s in scores:
        _probabilities_ok(s, ("favor", "against", "none"))


def test_nli_model_is_used_zero_shot(tiny_nli: str) -> None:
    model = models.load_stance_model(tiny_nli)
    assert model.hypothesis_templates is not None
    scores = model.score(SENTENCES[:2], ["Ukraine joining NATO", "Donald Trump"])
    for s in scores:
        _probabilities_ok(s, ("favor", "against", "none"))
    custom = models.load_stance_model(tiny_nli, hypothesis_template="This text supports {}.")
    assert custom.hypothesis_templates["against"] == "This text opposes {}."


def test_nli_template_without_placeholder_is_refused(tiny_nli: str) -> None:
    with pytest.raises(ModelUnavailable, match=r"\{\}"):
        models.load_stance_model(tiny_nli, hypothesis_template="This text is in favour.")


def test_unloadable_model_names_the_id_and_what_to_do(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ModelUnavailable) as info:
        models.load_sentiment_model(missing)
    assert missing in str(info.value) and "bundled:sentiment" in str(info.value)
    with pytest.raises(ModelUnavailable, match="bundled:stance"):
        models.load_stance_model("bundled:nonsense")


def test_classifier_with_unrelated_labels_is_refused(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "topics", {0: "sports", 1: "politics"})
    with pytest.raises(ModelUnavailable, match="sports"):
        models.load_stance_model(folder)
    with pytest.raises(ModelUnavailable, match="negative"):
        models.load_sentiment_model(folder)


def test_target_span_outside_text_is_an_error(tiny_sentiment: str) -> None:
    model = models.load_sentiment_model(tiny_sentiment)
    model.target_aware = True
    try:
        with pytest.raises(ValueError, match="outside"):
            model.score(["short"], [(2, 40)])
    finally:
        model.target_aware = False


# ------------------------------------------------------------------ bundled models

bundled = pytest.mark.skipif(
    not (models.bundled_model_dir("stance") / "stancemap.json").exists()
    or not (models.bundled_model_dir("sentiment") / "stancemap.json").exists(),
    reason="bundled models not trained yet",
)


@bundled
@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("The new hospital is wonderful and its staff are excellent.", None, "positive"),
        ("The attack killed dozens of civilians in a horrifying massacre.", None, "negative"),
        ("The meeting is scheduled for Tuesday at 10 a.m. in Geneva.", None, "neutral"),
        ("Critics blasted Johnson as a liar who betrayed his voters.", "Johnson", "negative"),
        ("Fans cheered Smith, calling her a brilliant and inspiring leader.", "Smith", "positive"),
    ],
)
def test_bundled_sentiment_on_unambiguous_sentences(text: str, target: str | None, expected: str) -> None:
    model = models.load_sentiment_model("bundled:sentiment")
    span = None if target is None else (text.index(target), text.index(target) + len(target))
    assert model.score([text], [span])[0].label == expected


@bundled
@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("We must legalize abortion: women deserve the right to choose.", "legalization of abortion", "favor"),
        ("I oppose legalizing abortion.", "legalization of abortion", "against"),
        ("Ukraine must never join NATO, it would provoke Russia.", "Ukraine joining NATO", "against"),
        ("Zelensky is a courageous leader and we stand with him.", "Zelensky", "favor"),
        ("Putin is a war criminal who must be stopped.", "Putin", "against"),
        ("The weather in Lisbon was sunny on Tuesday.", "Ukraine joining NATO", "none"),
    ],
)
def test_bundled_stance_on_unambiguous_sentences(text: str, target: str, expected: str) -> None:
    model = models.load_stance_model("bundled:stance")
    assert model.score([text], [target])[0].label == expected


@bundled
@pytest.mark.xfail(strict=True, reason="known weakness (model card, Limits): strongly worded anti-abortion "
                   "statements that do not name legalisation come out favor; strict so a fix is noticed")
def test_bundled_stance_known_failure_on_abortion() -> None:
    # On the fp32 reference: a borderline case (favor p=0.59) that the default ONNX int8 runtime
    # happens to get right, which says nothing about the model's weakness.
    model = models.load_stance_model("bundled:stance", quantize=False)
    text = "Abortion is murder and must be banned everywhere."
    assert model.score([text], ["legalization of abortion"])[0].label == "against"


@bundled
def test_bundled_models_stay_small() -> None:
    total = sum(p.stat().st_size for task in models.BUNDLED_TASKS
                for p in models.bundled_model_dir(task).iterdir() if p.is_file())
    assert total <= 10 * 1024 * 1024
    for task in models.BUNDLED_TASKS:
        card = models.model_card(task)
        assert f"python -m analysis train {task} --data" in card and "macro-F1" in card


@pytest.mark.parametrize(
    ("text", "target", "expected"),
    [
        ("The new hospital is wonderful and its staff are excellent.", None, "positive"),
        ("The attack killed dozens of civilians in a horrifying massacre.", None, "negative"),
        ("Critics blasted Johnson as a liar who betrayed his voters.", "Johnson", "negative"),
        ("Fans cheered Smith, calling her a brilliant and inspiring leader.", "Smith", "positive"),
    ],
)
def test_fast_sentiment_on_unambiguous_sentences(text: str, target: str | None, expected: str) -> None:
    model = models.load_sentiment_model(models.FAST_SENTIMENT_MODEL)
    span = None if target is None else (text.index(target), text.index(target) + len(target))
    assert model.score([text], [span])[0].label == expected


def test_fast_sentiment_reads_each_statement_once_for_itself_and_its_mentions() -> None:
    """Issue 12, point 1: one encoder pass per statement, however many mentions it has; the
    scores are those of scoring each input alone."""
    model = models.load_sentiment_model(models.FAST_SENTIMENT_MODEL)
    text = "Trump praised Macron warmly but attacked Putin as a brutal dictator."
    spans = [None, (14, 20), (45, 50)]
    calls: list[int] = []
    real = model.encoder.forward

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["input_ids"].shape[0])
        return real(*args, **kwargs)

    models.SCORE_CACHE.clear()
    model.encoder.forward = counting
    try:
        together = model.score([text] * 3, spans)
    finally:
        model.encoder.forward = real
    assert calls == [1]   # one batch holding one statement
    models.SCORE_CACHE.clear()
    alone = [model.score([text], [s])[0] for s in spans]
    assert [t.label for t in together] == [a.label for a in alone]
    assert together[2].label == "negative"   # Putin, "a brutal dictator"


# ------------------------------------------------------------------ runtimes (README "Runtime")

NEWS_PAIRS = [
    ("We must end this war now, and a deal is the only way.", "a negotiated peace deal"),
    ("Trump has repeatedly sided with Russia in ruling out Ukraine's membership in NATO.", "Ukraine joining NATO"),
    ("The Lib Dems plan to oppose the Bill at every stage.", "the Bill"),
    ("Mr Howard said the chancellor had wrecked the pension system.", "Gordon Brown"),
    ("The meeting is scheduled for Tuesday at 10 a.m. in Geneva.", "a negotiated peace deal"),
    ("Kennedy praised the plan as a bold and fair reform.", "the plan"),
]


@bundled
def test_default_cpu_runtime_is_onnx_int8_and_agrees_with_the_fp32_reference(monkeypatch, tmp_path) -> None:
    """The default runtime on CPU is ONNX Runtime int8 (it kept every dev set within a point of
    fp32); on news statements it gives the reference's labels with close probabilities."""
    pytest.importorskip("onnxruntime")
    monkeypatch.delenv("STANCEMAP_RUNTIME", raising=False)
    monkeypatch.delenv("STANCEMAP_QUANTIZE", raising=False)
    monkeypatch.setattr(models, "pick_device", lambda: "cpu")
    folder = models.bundled_model_dir("stance")
    default = models.bundled_stance_model("bundled:stance", folder, None, cache=None)
    reference = models.bundled_stance_model("bundled:stance", folder, False, cache=None)
    assert default.scorer.runtime == "onnx int8 (per-channel), CPU" and reference.scorer.runtime == "fp32, cpu"
    texts, targets = [t for t, _ in NEWS_PAIRS], [g for _, g in NEWS_PAIRS]
    fast, ref = default.score(texts, targets), reference.score(texts, targets)
    assert [s.label for s in fast] == [s.label for s in ref]
    assert max(abs(a.scores[k] - b.scores[k]) for a, b in zip(fast, ref, strict=True) for k in a.scores) < 0.1
    assert default.scorer.cache_id != reference.scorer.cache_id   # their scores never answer for each other


@bundled
def test_a_failed_onnx_export_falls_back_to_fp32_with_a_warning(monkeypatch, caplog) -> None:
    from analysis import onnx_runtime

    def broken(*_a, **_k):
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_runtime, "available", lambda: True)
    monkeypatch.setattr(onnx_runtime, "int8_forward", broken)
    monkeypatch.setattr(models, "pick_device", lambda: "cpu")
    with caplog.at_level("WARNING", logger="analysis.models"):
        model = models.bundled_stance_model("bundled:stance", models.bundled_model_dir("stance"), "onnx-int8", cache=None)
    assert model.scorer.runtime == "fp32, cpu" and "exporter crashed" in caplog.text
    assert model.score(["We must end this war now."], ["a negotiated peace deal"])[0].label == "favor"


def test_an_unknown_runtime_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("STANCEMAP_RUNTIME", "tensorrt")
    with pytest.raises(ModelUnavailable, match="onnx-int8, torch or torch-int8"):
        models.runtime_choice(None)
    monkeypatch.setenv("STANCEMAP_QUANTIZE", "1")   # the older switch still means PyTorch int8
    assert models.runtime_choice(None) == "torch-int8"
    assert models.runtime_choice(False) == "torch" and models.runtime_choice("ONNX-int8") == "onnx-int8"


def test_onnx_cache_folder_falls_back_to_the_temporary_folder(monkeypatch, tmp_path) -> None:
    from analysis import onnx_runtime

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STANCEMAP_CACHE_DIR", str(blocker))   # <file>/onnx cannot be created
    assert onnx_runtime.cache_dir().parent == Path(__import__("tempfile").gettempdir())
    monkeypatch.setenv("STANCEMAP_CACHE_DIR", str(tmp_path / "cache"))
    assert onnx_runtime.cache_dir() == tmp_path / "cache" / "onnx" and onnx_runtime.cache_dir().is_dir()


@bundled
def test_the_onnx_export_is_made_once_and_reused(monkeypatch, tmp_path) -> None:
    """The first load exports and quantises the model into the cache; a second process (here, a
    second load) reuses the file instead of exporting again."""
    pytest.importorskip("onnxruntime")
    from analysis import onnx_runtime

    monkeypatch.setenv("STANCEMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(models, "pick_device", lambda: "cpu")
    folder = models.bundled_model_dir("sentiment")
    first = models.load_sentiment_model.__wrapped__("bundled:sentiment", "onnx-int8")
    [cached] = list((tmp_path / "onnx").glob("sentiment-*.int8.onnx"))
    stamp = cached.stat().st_mtime_ns
    exports = []
    monkeypatch.setattr(onnx_runtime, "_export", lambda *a: exports.append(a))
    second = models.load_sentiment_model.__wrapped__("bundled:sentiment", "onnx-int8")
    assert exports == [] and cached.stat().st_mtime_ns == stamp
    text = "The new hospital is wonderful and its staff are excellent."
    assert first.score([text])[0].label == second.score([text])[0].label == "positive"
    assert folder.name in cached.name and first.scorer.runtime == onnx_runtime.RUNTIME_NAME
