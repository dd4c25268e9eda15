"""The link predictor as the teacher of open-world titles.

An occupation without known links (every en-onet query, cn-titles' unmapped slice) has no items for its titles to
learn from. Self-training points them at the items the model itself ranks highest for the occupation's text; the
link predictor (``recommender.matching.link_prediction``) ranks those items better, because it adds the code
family, related occupations and text neighbours to the content (on en-onet its row alone gives Recall@10 0.670 on
the description slice, against 0.49 for the dense channel). So, after the first family of models is trained,
the predictor is fitted with it exactly as the matcher fits it, and its top items for each bench occupation
without links become the weak targets of that occupation's titles when the serving model is trained again
(``recommender train-encoder``; measured in ``docs/ENCODER_EXPERIMENTS.md``).

Only knowledge files are read (a bench's ``items.csv``, ``occupations.csv``, ``item_occupations.csv`` and the
public data): never a split's queries or qrels.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from recommender.errors import UserError

TARGETS_FILE = "teacher_targets.json"


def predictor_targets(model_dir: str | Path, bench_dir: str | Path, data_dir: str | Path | None, top_k: int,
                      languages: tuple[str, ...]) -> dict[str, list[str]]:
    """For every occupation without known links in the benches of ``languages``: the ``top_k`` items the link
    predictor ranks highest for it, as knowledge keys (``en:occ:47-2111`` → ``["en:cip:46.0302", …]``).

    The predictor is the matcher's (``recommender.matching.matcher.fit_link_predictor``, default configuration),
    fitted with the model in ``model_dir`` and its cross-fitted members. Benches whose knowledge files are missing
    are skipped.
    """
    from recommender.encoders.sentence_transformer import SentenceTransformerEncoder
    from recommender.matching.corpus import MatchingCorpus
    from recommender.matching.matcher import MatcherConfig, fit_link_predictor
    from recommender.training.dense_eval import BENCH_ITEM_KIND, BENCH_LANG

    if top_k < 1:
        raise UserError(f"teacher_top_k {top_k}: the teacher needs at least one item per occupation")
    encoder = SentenceTransformerEncoder(Path(model_dir))
    out: dict[str, list[str]] = {}
    for bench, lang in BENCH_LANG.items():
        occ_prefix, item_prefix = f"{lang}:occ:", f"{lang}:{BENCH_ITEM_KIND[bench]}:"  # knowledge keys
        folder = Path(bench_dir) / bench
        if lang not in languages or not (folder / "items.csv").is_file() or not (folder / "occupations.csv").is_file():
            continue
        corpus = MatchingCorpus.from_bench(folder, data_dir)
        predictor = fit_link_predictor(corpus, encoder, MatcherConfig())
        item_ids = [i.item_id for i in corpus.items]
        unlinked = np.flatnonzero(~predictor.linked)
        for a in unlinked:
            top = np.argsort(-predictor.probabilities[a], kind="stable")[:top_k]
            out[occ_prefix + corpus.occupations[a].code] = [item_prefix + item_ids[j] for j in top]
        print(f"teacher: the link predictor's top {top_k} items for {len(unlinked)} {bench} occupations without "
              f"links", file=sys.stderr)
    return out


def save_targets(targets: dict[str, list[str]], model_dir: str | Path) -> Path:
    """Write the teacher's targets next to the model (``teacher_targets.json``), so a run can be inspected."""
    path = Path(model_dir) / TARGETS_FILE
    path.write_text(json.dumps(targets, indent=0, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path
