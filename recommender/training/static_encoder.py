"""Train a static-embedding sentence encoder (token vectors, mean pooled) with an in-batch contrastive loss.

The objective is MultipleNegativesRankingLoss (InfoNCE): for each anchor in a batch, its positive must score
higher (cosine × ``scale``) than every other positive and every hard negative of the batch. Two refinements:

- *false-negative masking*: a candidate that the anchor is known to be linked to (another major linked to the same
  occupation, the same entity under another view) is removed from the anchor's softmax instead of being pushed away;
- *symmetric* term: positives must also find their anchors among the batch's anchors.

The result is saved as a ``sentence_transformers`` model folder (``StaticEmbedding`` + ``Normalize``) that
``SentenceTransformer(path)`` loads offline. Token vectors are stored as int8 with one float32 scale per token
(the model2vec ``embeddings``/``weights`` layout that ``StaticEmbedding.load`` folds back into float32).
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from scipy import sparse
from tokenizers import Tokenizer
from tqdm.auto import tqdm

from recommender.errors import UserError
from recommender.training.knowledge import Knowledge
from recommender.training.pairs import Example, PairBuilder, PairMix, batches, item_document, occupation_views
from recommender.training.tokenizer import build_tokenizer


@dataclass
class TrainConfig:
    """Everything that determines a training run (saved next to the model as training_config.json)."""

    dim: int = 256
    epochs: int = 12
    batch_size: int = 512
    lr: float = 0.05
    scale: float = 20.0
    symmetric: bool = True
    seed: int = 13
    english_vocab_size: int = 16000
    min_word_count: int = 3
    max_word_len: int = 4
    languages: tuple[str, ...] = ("cn", "en")
    english_init: str = "random"  # or "minilm": see recommender.training.teacher
    mix: PairMix = field(default_factory=PairMix)


@dataclass
class TrainedEncoder:
    """A trained model in memory: tokenizer, float32 token vectors, and the run's history."""

    tokenizer: Tokenizer
    weights: np.ndarray
    config: TrainConfig
    history: list[dict[str, float]]
    seconds: float

    def encode(self, texts: list[str], batch_size: int = 4096) -> np.ndarray:
        """Mean of token vectors, L2-normalised (what the saved model computes)."""
        out = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            for i, enc in enumerate(self.tokenizer.encode_batch(texts[start:start + batch_size], add_special_tokens=False)):
                if enc.ids:
                    out[start + i] = self.weights[enc.ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


class _TokenCache:
    """Token ids per text, computed once (texts recur across epochs)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.ids: dict[str, list[int]] = {}

    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.ids]
        if missing:
            for text, enc in zip(missing, self.tokenizer.encode_batch(missing, add_special_tokens=False)):
                self.ids[text] = enc.ids or [0]
        seqs = [self.ids[t] for t in texts]
        offsets = torch.tensor(np.cumsum([0] + [len(s) for s in seqs[:-1]]), dtype=torch.long)
        flat = torch.tensor([i for s in seqs for i in s], dtype=torch.long)
        return flat, offsets


class _Relations:
    """Which (anchor entity, candidate entity) pairs are known to belong together (masked as negatives)."""

    def __init__(self, knowledge: Knowledge, weak: dict[str, list[str]] | None = None) -> None:
        keys = sorted(knowledge.entities)
        self.index = {k: i for i, k in enumerate(keys)}
        rows, cols = list(range(len(keys))), list(range(len(keys)))
        pairs = [(a, b) for a, bs in knowledge.links.items() for b in bs]
        pairs += [(occ, item) for occ, items in (weak or {}).items() for item in items]
        for a, b in pairs:
            rows.append(self.index[a])
            cols.append(self.index[b])
        self.matrix = sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(keys), len(keys)))

    def mask(self, anchor_keys: list[str], candidate_keys: list[str], positive_keys: list[str]) -> torch.Tensor:
        a = np.array([self.index[k] for k in anchor_keys])
        c = np.array([self.index[k] for k in candidate_keys])
        p = np.array([self.index[k] for k in positive_keys])
        related = self.matrix[a][:, c].toarray() | (p[:, None] == c[None, :])
        related[np.arange(len(a)), np.arange(len(a))] = False  # the example's own positive stays the target
        return torch.from_numpy(related)


def _loss(model: torch.nn.EmbeddingBag, cache: _TokenCache, relations: _Relations, batch: list[Example],
          scale: float, symmetric: bool) -> torch.Tensor:
    device = model.weight.device

    def embed(texts: list[str]) -> torch.Tensor:
        flat, offsets = cache.batch(texts)
        return torch.nn.functional.normalize(model(flat.to(device), offsets.to(device)), dim=-1)

    anchors = embed([ex.anchor for ex in batch])
    with_neg = [ex for ex in batch if ex.negative is not None]
    cand_texts = [ex.positive for ex in batch] + [ex.negative for ex in with_neg]
    cand_keys = [ex.positive_key for ex in batch] + [ex.negative_key for ex in with_neg]
    candidates = embed(cand_texts)
    anchor_keys = [ex.anchor_key for ex in batch]
    positive_keys = [ex.positive_key for ex in batch]
    target = torch.arange(len(batch), device=device)

    logits = scale * anchors @ candidates.T
    logits = logits.masked_fill(relations.mask(anchor_keys, cand_keys, positive_keys).to(device), float("-inf"))
    loss = torch.nn.functional.cross_entropy(logits, target)
    if symmetric:
        back = scale * candidates[: len(batch)] @ anchors.T
        back_mask = relations.mask(positive_keys, anchor_keys, anchor_keys).to(device)
        loss = (loss + torch.nn.functional.cross_entropy(back.masked_fill(back_mask, float("-inf")), target)) / 2
    return loss


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_static_encoder(knowledge: Knowledge, config: TrainConfig, *, show_progress: bool = True,
                         callback=None, device: str = "cpu", teacher_encode=None,
                         teacher_links: dict[str, list[str]] | None = None) -> TrainedEncoder:
    """Build the tokenizer and train token vectors on the knowledge graph.

    Parameters
    ----------
    knowledge : Knowledge
        Entities and known links (see :func:`recommender.training.knowledge.load_knowledge`).
    config : TrainConfig
        Dimensions, epochs, learning rate, seed, pair mix.
    show_progress : bool
        tqdm bars (stderr) over epochs and batches.
    callback : callable, optional
        Called as ``callback(epoch, encoder)`` after each epoch (for monitoring; it must not feed back into training).
    device : str
        torch device for the token vectors and the loss (``"cpu"``; ``"cuda"`` where one exists). Results agree
        across devices up to floating-point order.
    teacher_encode : callable, optional
        Replaces the teacher's encoder when ``config.english_init`` names one (precomputed vectors, tests).
    teacher_links : dict, optional
        Occupation key → item keys from the link predictor (``recommender.training.open_world``): the weak
        targets of the titles of those occupations without known links whose language is in
        ``config.mix.teacher_languages``, from the first epoch, instead of self-training (at most
        ``config.mix.teacher_top_k`` each).

    Returns
    -------
    TrainedEncoder
    """
    started = time.perf_counter()
    _seed_everything(config.seed)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    corpus = knowledge.texts()
    tokenizer = build_tokenizer(corpus, english_vocab_size=config.english_vocab_size,
                                min_word_count=config.min_word_count, max_word_len=config.max_word_len,
                                show_progress=False)
    vocab_size = tokenizer.get_vocab_size()
    model = torch.nn.EmbeddingBag(vocab_size, config.dim, mode="mean")
    generator = torch.Generator().manual_seed(config.seed)
    with torch.no_grad():
        model.weight.normal_(0.0, 1.0 / np.sqrt(config.dim), generator=generator)
        if config.english_init != "random":
            from recommender.training.teacher import teacher_init

            ids, vectors = teacher_init(tokenizer.get_vocab(), config.dim, config.english_init,
                                        scale=1.0 / np.sqrt(config.dim), encode=teacher_encode)
            model.weight[torch.from_numpy(ids)] = torch.from_numpy(vectors)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    cache = _TokenCache(tokenizer)
    builder = PairBuilder(knowledge, config.mix)
    builder.teacher_links = _taught(builder, teacher_links or {})
    relations = _Relations(knowledge, _weak_links(builder, config.languages))

    min_batch = max(2, config.batch_size // 32)
    first = batches(builder.epoch(config.seed, 0, config.languages), config.batch_size, seed=config.seed * 1000,
                    min_batch=min_batch)
    if not first:
        raise UserError("no training examples: the data folders hold no occupations, items or links to learn from")
    total_steps = len(first) * config.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1, total_steps // 20)) * max(0.0, 1 - step / total_steps))

    history: list[dict[str, float]] = []
    seen = np.zeros(vocab_size, dtype=bool)
    bar = tqdm(total=total_steps, desc="train-encoder", unit="batch", disable=not show_progress)
    for epoch in range(config.epochs):
        if epoch == 0:
            epoch_batches = first
        else:
            if config.mix.self_training_from_epoch and epoch >= config.mix.self_training_from_epoch:
                snapshot = _snapshot(model, tokenizer, cache, seen, config, history, started)
                builder.inferred_links = infer_item_links(snapshot, builder, config.languages)
                relations = _Relations(knowledge, _weak_links(builder, config.languages))
            epoch_batches = batches(builder.epoch(config.seed, epoch, config.languages), config.batch_size,
                                    seed=config.seed * 1000 + epoch, min_batch=min_batch)
        losses = []
        for batch in epoch_batches:
            optimizer.zero_grad()
            loss = _loss(model, cache, relations, batch, config.scale, config.symmetric)
            loss.backward()
            optimizer.step()
            if scheduler.last_epoch < total_steps - 1:
                scheduler.step()
            losses.append(float(loss.detach()))
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{np.mean(losses[-20:]):.3f}")
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)), "batches": len(epoch_batches)})
        if callback is not None:
            callback(epoch + 1, _snapshot(model, tokenizer, cache, seen, config, history, started))
    bar.close()
    return _snapshot(model, tokenizer, cache, seen, config, history, started)


def _taught(builder: PairBuilder, teacher_links: dict[str, list[str]]) -> dict[str, list[str]]:
    """The teacher's targets this run uses: occupations of the teacher's languages without known links here (a
    cross-fitted companion's held-out occupations keep self-training), items that exist, ``teacher_top_k`` each."""
    mix, kg = builder.mix, builder.kg
    if mix.teacher_top_k <= 0:
        return {}
    out = {}
    for key, items in teacher_links.items():
        lang = key.split(":", 1)[0]
        if lang not in mix.teacher_languages or key not in kg.entities or lang not in builder.item_kind \
                or kg.linked(key, builder.item_kind[lang]):
            continue
        known = [i for i in items if i in kg.entities][: mix.teacher_top_k]
        if known:
            out[key] = known
    return out


def _weak_links(builder: PairBuilder, languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Every weak (occupation → item) target the builder may use, so the loss never treats them as negatives."""
    out = {}
    for lang in languages:
        kind = builder.item_kind[lang]
        for occ in builder.occupations[lang]:
            if not builder.kg.linked(occ.key, kind):
                targets = builder.weak_targets(occ.key, lang)
                if targets:
                    out[occ.key] = targets
    return out


def infer_item_links(encoder: TrainedEncoder, builder: PairBuilder, languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Self-training targets: for each occupation without known links, the items its own text ranks highest.

    The occupation's name, definition and tasks are encoded and compared with every item's indexed text; items of
    its related occupations (O*NET Related Occupations, for the languages configured) get a small bonus. The top
    ``mix.self_training_top_k`` items become the weak targets of the occupation's titles in the next epoch.
    """
    mix = builder.mix
    out: dict[str, list[str]] = {}
    for lang in languages:
        kind = builder.item_kind[lang]
        unlinked = [o for o in builder.occupations[lang] if not builder.kg.linked(o.key, kind)]
        items = builder.items[lang]
        if not unlinked or not items:
            continue
        item_keys = [e.key for e in items]
        position = {k: i for i, k in enumerate(item_keys)}
        item_vecs = encoder.encode([item_document(e) for e in items])
        occ_vecs = encoder.encode([occupation_views(o)["full"] for o in unlinked])
        sims = occ_vecs @ item_vecs.T
        for row, occ in zip(sims, unlinked):
            if lang in mix.related_languages:
                for key in builder.kg.inferred(occ.key, kind, mix.max_related):
                    row[position[key]] += mix.related_bonus
            top = np.argsort(-row, kind="stable")[: mix.self_training_top_k]
            out[occ.key] = [item_keys[j] for j in top]
    return out


def _snapshot(model: torch.nn.EmbeddingBag, tokenizer: Tokenizer, cache: _TokenCache, seen: np.ndarray,
              config: TrainConfig, history: list[dict[str, float]], started: float) -> TrainedEncoder:
    """Current weights, with the vectors of tokens no training text contains set to zero (they carry no signal)."""
    for ids in cache.ids.values():
        seen[ids] = True
    weights = model.weight.detach().cpu().numpy().astype(np.float32).copy()
    weights[~seen] = 0.0
    weights[0] = 0.0  # [UNK]
    return TrainedEncoder(tokenizer, weights, config, list(history), time.perf_counter() - started)


def quantize_int8(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-token symmetric int8 quantisation: ``weights ≈ q * scale[:, None]``."""
    scale = np.abs(weights).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(weights / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def to_sentence_transformer(encoder: TrainedEncoder):
    """The in-memory model as a ``SentenceTransformer`` (``StaticEmbedding`` + ``Normalize``), float32."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    static = StaticEmbedding(Tokenizer.from_str(encoder.tokenizer.to_str()), embedding_weights=encoder.weights.copy())
    return SentenceTransformer(modules=[static, Normalize()], device="cpu")


def save_model(encoder: TrainedEncoder, out_dir: Path, *, model_name: str, card: str, metrics: dict | None = None,
               ) -> None:
    """Write a ``SentenceTransformer``-loadable folder (``SentenceTransformer(out_dir)``, offline) and its card.

    The folder is what ``SentenceTransformer.save`` writes for ``StaticEmbedding`` + ``Normalize``, except that the
    token vectors in ``model.safetensors`` are stored as int8 ``embeddings`` with float32 per-token ``weights``
    (scales): the model2vec layout, which ``StaticEmbedding.load`` folds back into one float32 matrix on load.
    ``training_run.json`` records the configuration, loss history, time and figures of the run.
    """
    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    to_sentence_transformer(encoder).save(str(out_dir))
    q, scale = quantize_int8(encoder.weights)
    save_file({"embeddings": q, "weights": scale}, str(out_dir / "model.safetensors"))
    run = {"model_name": model_name, "config": asdict(encoder.config), "history": encoder.history,
           "train_seconds": round(encoder.seconds, 1), "vocab_size": int(encoder.weights.shape[0]),
           "dim": int(encoder.weights.shape[1]), "metrics": metrics or {}}
    (out_dir / "training_run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(card, encoding="utf-8")


def config_from_run(model_dir: Path) -> TrainConfig:
    """The ``TrainConfig`` a saved model was trained with (its ``training_run.json``); fields the record lacks
    (added after it was written) take their defaults."""
    path = Path(model_dir) / "training_run.json"
    if not path.is_file():
        raise UserError(f"{path} not found: {model_dir} is not a model trained by `recommender train-encoder`")
    recorded = dict(json.loads(path.read_text(encoding="utf-8"))["config"])
    mix = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(recorded.pop("mix", {})).items()}
    if "languages" in recorded:
        recorded["languages"] = tuple(recorded["languages"])
    try:
        return TrainConfig(**recorded, mix=PairMix(**mix))
    except TypeError as e:
        raise UserError(f"{path}: unknown training setting ({e})") from None


def load_trained(model_dir: Path) -> TrainedEncoder:
    """A model saved by :func:`save_model` back in memory: tokenizer, dequantised token vectors, and the
    configuration, history and training time its ``training_run.json`` records."""
    from safetensors.numpy import load_file

    model_dir = Path(model_dir)
    if not (model_dir / "model.safetensors").is_file() or not (model_dir / "tokenizer.json").is_file():
        raise UserError(f"{model_dir} is not a model saved by `recommender train-encoder` "
                        "(model.safetensors or tokenizer.json missing)")
    tensors = load_file(str(model_dir / "model.safetensors"))
    weights = tensors["embeddings"].astype(np.float32)
    if "weights" in tensors:  # int8 vectors with one scale per token
        weights = weights * tensors["weights"].astype(np.float32)[:, None]
    run = json.loads((model_dir / "training_run.json").read_text(encoding="utf-8"))
    return TrainedEncoder(Tokenizer.from_file(str(model_dir / "tokenizer.json")), weights, config_from_run(model_dir),
                          list(run.get("history", [])), float(run.get("train_seconds", 0.0)))


def average_encoders(members: list[TrainedEncoder]) -> TrainedEncoder:
    """One model whose token vectors are the members' mean (a model soup). The members must share tokenizer and
    dimensions; the result keeps the first member's configuration and history, and the members' total time."""
    if not members:
        raise UserError("no models to average")
    first = members[0]
    vocab = first.tokenizer.get_vocab()
    for m in members[1:]:
        if m.weights.shape != first.weights.shape or m.tokenizer.get_vocab() != vocab:
            raise UserError("cannot average models with different tokenizers or dimensions")
    weights = np.mean([m.weights for m in members], axis=0).astype(np.float32)
    return TrainedEncoder(first.tokenizer, weights, first.config, list(first.history), sum(m.seconds for m in members))


def train_crossfit_models(knowledge: Knowledge, config: TrainConfig, model_dir: Path, folds: int, *,
                          show_progress: bool = True, device: str = "cpu") -> tuple[list[float], TrainedEncoder]:
    """Train the ``folds`` cross-fitted companions of the model in ``model_dir`` (``recommender.encoders.crossfit``):
    the same configuration, each without the links of one fold of the occupations; then replace the model in
    ``model_dir`` by the average of the full model (kept in ``crossfit/full``) and the companions. Returns the
    seconds of each companion and the averaged model.

    The manifest is removed first and written last, so an interrupted run never leaves a mixture of old and new
    folds in use (without a manifest the link predictor uses the model in ``model_dir``; rerunning with
    ``--crossfit-only`` finishes the job: the full model is taken from ``crossfit/full`` once it is there).
    """
    import shutil

    from recommender.encoders.crossfit import (
        CROSSFIT_DIR,
        CROSSFIT_FILE,
        TRAINED_WITHOUT,
        fold_dir,
        full_dir,
        write_manifest,
    )

    if folds < 2:
        raise UserError(f"--crossfit-folds {folds}: cross-fitting needs at least 2 folds (0 to skip it)")
    model_dir = Path(model_dir)
    (model_dir / CROSSFIT_DIR / CROSSFIT_FILE).unlink(missing_ok=True)
    full = full_dir(model_dir)
    if not (full / "modules.json").is_file():  # the folder holds the full model itself: keep it as a member
        staging = full.with_name(full.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(model_dir, staging, ignore=lambda d, names: [CROSSFIT_DIR] if Path(d) == model_dir else [])
        (staging / "README.md").write_text(
            f"# {model_dir.resolve().name} · full member\n\nThe model trained on every known link (configuration, history "
            "and dense-only figures in `training_run.json`). One of the members averaged into `../../`; the link "
            "predictor's encoder for the occupations whose links it predicts (`recommender.encoders.crossfit`). Same "
            "data, licences and limits as the main card.\n", encoding="utf-8")
        shutil.rmtree(full, ignore_errors=True)
        staging.rename(full)
    name = model_dir.resolve().name
    seconds = []
    for fold in range(folds):
        print(f"cross-fitting: fold {fold + 1}/{folds} (training without the links of its occupations)",
              file=sys.stderr)
        encoder = train_static_encoder(knowledge.without_occupation_links(fold, folds), config,
                                       show_progress=show_progress, device=device)
        out = fold_dir(model_dir, fold)
        if out.exists():
            shutil.rmtree(out)
        card = (f"# {name} · cross-fitting fold {fold} of {folds}\n\nThe full model (`../full`) trained again with "
                f"the same configuration, without the known item links of the occupations whose code falls in fold "
                f"{fold} (crc32 of the code mod {folds}). One of the members averaged into `../../`; the link "
                "predictor uses it for the similarities of those occupations' training rows "
                "(`recommender.encoders.crossfit`). Same data, licences and limits as the main card.\n")
        save_model(encoder, out, model_name=f"{name}-crossfit-{fold}", card=card)
        seconds.append(encoder.seconds)
    average = average_encoders([load_trained(full)] + [load_trained(fold_dir(model_dir, f)) for f in range(folds)])
    replace_model_vectors(average, model_dir, model_name=name)
    write_manifest(model_dir, folds, TRAINED_WITHOUT)
    return seconds, average


def train_taught_family(knowledge: Knowledge, config: TrainConfig, folds: int, teacher_links: dict[str, list[str]],
                        *, show_progress: bool = True, device: str = "cpu") -> tuple[TrainedEncoder, list[float]]:
    """The serving model of a model with a teacher stage (``recommender.training.open_world``): the full model and
    its ``folds`` cross-fitted companions trained again, this time with the link predictor's targets for the titles
    of the occupations without links, and averaged (the same soup as ``train_crossfit_models``, kept in memory
    only). Returns the average and each member's seconds."""
    members = []
    for fold in range(-1, folds):
        what = "the full model" if fold < 0 else f"fold {fold + 1}/{folds} (without the links of its occupations)"
        print(f"teacher stage: training {what} with the link predictor's targets", file=sys.stderr)
        kg = knowledge if fold < 0 else knowledge.without_occupation_links(fold, folds)
        members.append(train_static_encoder(kg, config, show_progress=show_progress, device=device,
                                            teacher_links=teacher_links))
    return average_encoders(members), [m.seconds for m in members]


def replace_model_vectors(encoder: TrainedEncoder, model_dir: Path, *, model_name: str) -> None:
    """Swap the token vectors (and run record) of the model in ``model_dir`` for ``encoder``'s, file by file
    with atomic renames (same tokenizer; the card is the caller's to rewrite)."""
    import os
    import shutil

    from recommender.encoders.crossfit import CROSSFIT_DIR

    staging = Path(model_dir) / CROSSFIT_DIR / ".average.partial"
    shutil.rmtree(staging, ignore_errors=True)
    save_model(encoder, staging, model_name=model_name, card="")
    for name in ("model.safetensors", "training_run.json"):
        os.replace(staging / name, Path(model_dir) / name)
    shutil.rmtree(staging)
