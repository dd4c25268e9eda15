"""The README.md model card written next to a trained encoder (data, objective, size, figures, licences)."""

from __future__ import annotations

import platform
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np

from recommender.training.knowledge import Knowledge
from recommender.training.static_encoder import TrainedEncoder

SPEED_TITLES = ("电工", "外卖骑手", "快递员", "焊工", "养老护理员", "汽车维修工", "叉车司机", "网约车司机",
                "Electrician", "Registered Nurse", "Truck Driver", "Welder", "Home Health Aide", "Line Cook")


def speed_titles(n: int = 1000) -> list[str]:
    """``n`` short job titles (sample titles with a numbered suffix, so no two are the same text)."""
    return [f"{SPEED_TITLES[i % len(SPEED_TITLES)]}{i // len(SPEED_TITLES)}" for i in range(n)]


def measure_speed(model, n: int = 1000, repeats: int = 3) -> dict[str, float]:
    """Texts per second encoding ``n`` short titles in one call (median of ``repeats``), and one-text latency (ms).

    ``model`` is a ``SentenceTransformer``.
    """
    titles = speed_titles(n)
    model.encode(titles[:50], batch_size=n)  # warm-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.encode(titles, batch_size=n, convert_to_numpy=True)
        rates.append(n / (time.perf_counter() - start))
    latencies = []
    for text in titles[:50]:
        start = time.perf_counter()
        model.encode([text], convert_to_numpy=True)
        latencies.append((time.perf_counter() - start) * 1000)
    return {"texts_per_second_median": round(statistics.median(rates)), "texts_per_second_runs": [round(r) for r in rates],
            "single_text_latency_ms_median": round(statistics.median(latencies), 2)}


def folder_size_mb(path: Path, *, skip: str | None = None) -> float:
    """Megabytes of the files under ``path`` (without those under ``path / skip``)."""
    skipped = path / skip if skip else None
    return round(sum(f.stat().st_size for f in path.rglob("*")
                     if f.is_file() and not (skipped and f.is_relative_to(skipped))) / 1e6, 2)


def _figures_table(metrics: dict) -> str:
    lines = ["| bench | slice | queries | Recall@10 | MRR | nDCG@10 |", "|---|---|---|---|---|---|"]
    for bench, slices in metrics.items():
        for name, m in sorted(slices.items(), key=lambda kv: kv[0] != "all"):
            lines.append(f"| {bench} | {name} | {m['queries']} | {m['recall@10']:.3f} | {m['mrr']:.3f} | {m['ndcg@10']:.3f} |")
    return "\n".join(lines)


def teacher_section(teacher: dict | None, folds: int) -> str:
    """The card's paragraph on the teacher stage (empty when the model was not taught)."""
    if not teacher:
        return ""
    return f"""## Serving model: the members trained again with the link predictor as teacher
This folder's model (what queries, indexes and the occupation linker use) is **not** the average of the members
below: after they were trained, the link predictor was fitted with them exactly as the matcher fits it
(`recommender.matching.matcher.fit_link_predictor`), and its top {teacher['top_k']} items for each of the
{teacher['occupations']:,} bench occupations without known links ({', '.join(teacher['languages'])}) became the weak
targets of that occupation's titles ({teacher['titles_per_occupation']} titles each per epoch, from the first epoch,
instead of self-training): `teacher_targets.json` lists them. The full model and its {folds} companions were then
trained again with those targets ({teacher['minutes']:.1f} minutes) and their average is this model; those six
are not kept. The predictor keeps the self-trained members, so its fit does not depend on what it taught
(`recommender.training.open_world`, `docs/ENCODER_EXPERIMENTS.md`). The targets come from the benches' knowledge
files (items, occupations, known links), never from a split's queries or qrels.

"""


def crossfit_section(folds: int, taught: bool = False) -> str:
    """The card's paragraph on the cross-fitted companions in ``crossfit/`` (empty without them)."""
    if not folds:
        return ""
    lead = "Without the teacher stage, this folder's model would be" if taught else "This folder's model is"
    return f"""## Members: the full model and its cross-fitted companions (`crossfit/`)
{lead} the **average of {folds + 1} members' token vectors** (a model soup): `crossfit/full`, the
model trained on every known link, and `crossfit/fold-0` … `fold-{folds - 1}`, the same model trained {folds} more
times with the same configuration and random start, each without the known item links of one fold of the
occupations (fold = crc32 of the occupation code mod {folds}). The members share their start, so their vectors
average into one model of the same size and speed that scores better on the dense channel than each member (the
figures above are {'the serving model' if taught else 'the average'}'s; `docs/ENCODER_EXPERIMENTS.md` has the members').
The link predictor (`recommender.matching.link_prediction`) works with the single members: a model learns the known
links, so it rates a linked occupation–item pair more similar than it would rate it unseen; the predictor therefore
fits its weights on the similarities each linked occupation gets from the companion that never saw its links, and
applies them to the unlinked occupations with `crossfit/full`. Queries, indexes and the occupation linker use
{"the serving model" if taught else "the average"}. `recommender train-encoder --crossfit-only --out MODEL` retrains the companions (and
{"the teacher stage" if taught else "the average"}) for an existing model.

"""


def render_card(*, model_name: str, encoder: TrainedEncoder, knowledge: Knowledge, task_counts: Counter,
                metrics: dict, speed: dict, size_mb: float, load_seconds: float, command: str,
                crossfit_folds: int = 0, members_mb: float = 0.0, teacher: dict | None = None) -> str:
    """The model card text (Markdown)."""
    cfg = encoder.config
    members_size = f" (with its members in `crossfit/`: {members_mb} MB)" if crossfit_folds and members_mb else ""
    members_time = f" for the {crossfit_folds + 1} members together" if crossfit_folds else ""
    kinds = Counter((e.lang, e.kind) for e in knowledge.entities.values())
    links = sum(len(v) for v in knowledge.links.values()) // 2
    tasks = "\n".join(f"| `{task}` | {n:,} |" for task, n in sorted(task_counts.items()))
    figures = _figures_table(metrics) if metrics else "(not evaluated: run with the benches present)"
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, torch threads as set by the caller"
    return f"""# {model_name}

A small Chinese + English sentence encoder for job titles, occupations and majors / programs, trained by this
project from public taxonomy data only. It is a `sentence_transformers` model (`StaticEmbedding` → `Normalize`):
each text is the mean of its tokens' vectors, L2-normalised, so it encodes thousands of short texts per second
on a laptop CPU and loads offline:

```python
from sentence_transformers import SentenceTransformer
model = SentenceTransformer("models/{model_name}")          # no hub access needed (HF_HUB_OFFLINE=1 works)
vectors = model.encode(["电工", "电气自动化技术", "Registered Nurse"])  # float32, unit length
```

In the product it is the default dense encoder: `--encoder st:models/{model_name}`.

## Model
| | |
|---|---|
| architecture | static token embeddings, mean pooling, L2 normalisation |
| tokenizer | `tokenizers` unigram model built by us: NFKC + lower-case; CJK characters and the jieba words (2–{cfg.max_word_len} characters, seen ≥ {cfg.min_word_count}× in the corpus) of our corpus for Chinese, {cfg.english_vocab_size:,} unigram pieces for English |
| vocabulary | {encoder.weights.shape[0]:,} tokens ({int((np.abs(encoder.weights).sum(axis=1) > 0).sum()):,} with trained vectors; the rest are zero and ignored) |
| dimensions | {encoder.weights.shape[1]} |
| storage | int8 token vectors + one float32 scale per token (model2vec layout, folded to float32 on load) |
| files | {size_mb} MB{members_size} |
| load time | {load_seconds:.2f} s (`SentenceTransformer(path)`, after imports) |

## Training data (public sources only)
Read at training time from `../shared/data` and the benchmarks' knowledge files in `../shared/bench`
(`items.csv`, `occupations.csv`, `item_occupations.csv`); **never** a split's queries or qrels.

| entities | count |
|---|---|
| 大典 2022 occupations (细类, with aliases, definition, tasks) | {kinds[('cn', 'occ')]:,} |
| majors, all four levels (MOE catalog, 专业简介 2022: 职业面向, goals, courses) | {kinds[('cn', 'major')]:,} |
| SOC occupations (O*NET 29.3: title, description, tasks, Alternate Titles, Sample of Reported Titles) | {kinds[('en', 'occ')]:,} |
| CIP 2020 programs (title, definition, examples) | {kinds[('en', 'cip')]:,} |
| known links (专业—职业 tables of the four levels, bench item_occupations, 接续专业, CIP–SOC pairs of the en-onet bench) | {links:,} |

Examples per epoch (one task per batch):

| task | examples (epoch 1) |
|---|---|
{tasks}

- `*-title-item`: occupation name / alias / alternate or reported title → text of a major or program *linked* to it
  (Chinese titles are sometimes decorated like posting titles: 高级…, …学徒, …-苏州).
- `*-title-related`: title of an occupation *without* known links → its weak item targets: from epoch
  {cfg.mix.self_training_from_epoch + 1}, the top {cfg.mix.self_training_top_k} items the model itself ranks for the occupation's definition and tasks
  (self-training; for English nudged towards the items of O*NET Related Occupations), before that the items of
  related occupations ({', '.join(cfg.mix.related_languages) or 'none'}).
- `*-title-occ`, `*-task-occ`, `*-occ-item`, `*-name-item`, `cn-item-item`: title → occupation definition, task
  statement → occupation name, occupation definition → linked item, item name / example / core course → item
  text, 中职 major → its continuing 高职专科 majors.
- Hard negatives: a sibling of the positive (same 专业类 / CIP series, same 大典 小类 / SOC broad occupation) that is
  not linked to the anchor.

## Objective
MultipleNegativesRankingLoss (InfoNCE, scale {cfg.scale:g}) with in-batch negatives plus one hard negative per
example, symmetric ({cfg.symmetric}), and false-negative masking: a candidate known to be linked to the anchor's
entity is dropped from its softmax rather than pushed away. Adam, lr {cfg.lr:g} with warm-up and linear decay, batch
{cfg.batch_size}, {cfg.epochs} epochs, seed {cfg.seed}; {encoder.seconds / 60:.1f} minutes on this machine's CPU{members_time}.

Reproduce (same data, configuration and seed; the weights agree up to floating-point summation order, not bit for bit):

```bash
{command}
```

## Figures: dense channel alone, dev splits
Query text vs item text (`recommender.training.pairs.item_document`: name, classes, 职业面向 / definition, goal,
courses / examples), cosine top-100, no lexical channel, no links; scored by `../shared/bench/score.py`.

{figures}

Speed ({machine}): {speed.get('texts_per_second_median', 'n/a')} short titles per second (median of 3 runs, one batch
of 1,000), single-text latency {speed.get('single_text_latency_ms_median', 'n/a')} ms. `python benchmarks/encoder_speed.py`
measures it again and prints the machine's facts.

{teacher_section(teacher, crossfit_folds)}{crossfit_section(crossfit_folds, bool(teacher))}## Limits
- Bag of tokens: word order is ignored (电工 vs 工电), negation and long descriptions are weak points.
- Titles with words that never occur in the training corpus map only through their characters / pieces.
- The links used are incomplete by design (benchmark withholding); the `title-related` targets are inferred, not
  official, and can be wrong.

## Licences and attribution
- O*NET: "O*NET 29.3 Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA),
  used under CC BY 4.0". USDOL/ETA has not approved, endorsed, or tested this model.
- CIP 2020: NCES, US public domain.
- 职业教育专业目录 (2021, updated to 2025), 职业教育专业简介 (2022) and the 专业—职业 correspondence: Ministry of
  Education public data (public compilations).
- 中华人民共和国职业分类大典 (2022): via an MIT-licensed package; its alias column is that package author's addition.
- The benchmarks' Chinese job titles (MIT) were **not** used for training.
- The model itself: the project's licence (Apache-2.0).
"""
