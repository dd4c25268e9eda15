"""Link prediction: which items serve an occupation whose links are not known.

For every (occupation, item) pair the predictor computes

- *graph* features: the share of known-link neighbours linked to the item, for neighbours in the same code
  family at each depth (大典 小类 → 中类 → 大类; SOC broad → minor → major group, including the family's own code
  when it is itself an occupation), O*NET related occupations, and the nearest occupations by text;
- *content* features: lexical and dense similarity of the occupation's texts (name, aliases, definition, tasks)
  to the item's texts (name, 简介/definition, courses, 职业面向), as scores and as within-occupation ranks, and
  whether the item's text names the occupation;
- the item's popularity (its number of known links).

The weights are learned from the occupations that *have* known links, each seeing only the other occupations'
links (its own row never feeds its own graph features), which is the situation of an occupation whose links are
unknown. ``model``: ``listwise`` (default) fits a linear score by the likelihood of each linked occupation's items
among all items (a softmax over the items: what a ranking needs), then calibrates it to P(link) with a
one-feature logistic regression; ``lr`` is a pointwise logistic regression on the pairs, ``gbdt`` boosted trees.
The calibrated probabilities fill the rows of unlinked occupations.

Cross-fitting: when the encoder has fold companions (``recommender.encoders.crossfit``: the same model trained
without the links of one fold of the occupations each), the dense occupation–item similarities of a *linked*
occupation's training rows come from the companion that never saw its links, so the weights are learned on
similarities as honest as those of the unlinked occupations they are applied to (the main encoder learned the
known links and rates linked pairs higher than it would rate them unseen). When the encoder's folder holds the
average of its members, the matcher gives the predictor the full member (``predictor_encoder``), so fitting and
applying both use single models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from recommender.encoders.analysis import default_analyzer, get_analyzer
from recommender.encoders.base import Encoder
from recommender.encoders.crossfit import crossfit_fold
from recommender.errors import UserError
from recommender.matching.corpus import MatchingCorpus, display_name
from recommender.matching.scoring import ChoiceModel, rank_discount

MODELS = ("listwise", "lr", "gbdt")
MIN_NEGATIVES = 1000  # a small catalog keeps more of its negative pairs (all of them below this many)


@dataclass(frozen=True)
class LinkPredictorConfig:
    """use_graph / use_lexical / use_dense switch feature families off for ablations; negative_rate is the share
    of negative pairs kept for the pointwise fits (more in a small catalog, at least ``MIN_NEGATIVES``; the
    intercept is corrected for it); neighbours: k of the text-kNN; model: ``listwise``, ``lr`` or ``gbdt`` (see
    the module docstring); crossfit: take the dense similarities of linked occupations from the encoder's fold
    companions when it has them."""

    use_graph: bool = True
    use_lexical: bool = True
    use_dense: bool = True
    negative_rate: float = 0.05
    neighbours: int = 10
    model: str = "listwise"
    crossfit: bool = True
    seed: int = 13

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise UserError(f"link predictor model {self.model!r}: choose from {', '.join(MODELS)}")


class LinkPredictor:
    """Fills an (occupations × items) matrix of link probabilities."""

    def __init__(self, corpus: MatchingCorpus, encoder: Encoder | None, config: LinkPredictorConfig | None = None,
                 show_progress: bool = False):
        self.corpus = corpus
        self.encoder = encoder
        self.config = config or LinkPredictorConfig()
        self.show_progress = show_progress
        self.feature_names: list[str] = []
        self.model: LogisticRegression | HistGradientBoostingClassifier | ChoiceModel | None = None
        self.calibration: LogisticRegression | None = None
        n_occ, n_items = len(corpus.occupations), len(corpus.items)
        self.known = np.zeros((n_occ, n_items), dtype=np.float32)
        for item_id, code in corpus.links:
            self.known[corpus.occupation_index[code], corpus.item_index[item_id]] = 1.0
        self.linked = self.known.sum(axis=1) > 0
        self.crossfit_folds = 0  # fold companions the last fit used

    # -- neighbourhoods ------------------------------------------------------------------------------------
    def _family_matrices(self) -> list[np.ndarray]:
        occs = self.corpus.occupations
        group_codes = {o.groups[0] for o in occs if o.groups}
        chains = [((o.code,) + o.groups) if o.code in group_codes else o.groups for o in occs]
        depth = max((len(c) for c in chains), default=0)
        out = []
        for g in range(min(depth, 3)):
            keys = np.array([c[g] if g < len(c) else f"\0{k}" for k, c in enumerate(chains)])
            same = keys[:, None] == keys[None, :]
            np.fill_diagonal(same, False)
            out.append(same.astype(np.float32))
        return out

    def _related_matrix(self) -> np.ndarray | None:
        idx = self.corpus.occupation_index
        if not any(o.related for o in self.corpus.occupations):
            return None
        w = np.zeros((len(idx), len(idx)), dtype=np.float32)
        for a, o in enumerate(self.corpus.occupations):
            for code, weight in o.related:
                if code in idx and idx[code] != a:
                    w[a, idx[code]] = weight
        return w

    def _spread(self, weights: np.ndarray) -> np.ndarray:
        """Weighted share of known-link neighbours linked to each item."""
        w = weights * self.linked[None, :]
        den = w.sum(axis=1, keepdims=True)
        den[den == 0] = 1.0
        return (w @ self.known) / den

    def _knn(self, similarity: np.ndarray, temperature: float = 0.05) -> np.ndarray:
        s = np.where(self.linked[None, :], similarity, -np.inf)
        np.fill_diagonal(s, -np.inf)
        k = min(self.config.neighbours, int(self.linked.sum()))
        if k == 0:
            return np.zeros_like(self.known)
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(s, top, 1)
        w = np.exp((vals - vals.max(axis=1, keepdims=True)) / temperature)
        w[~np.isfinite(vals)] = 0
        weights = np.zeros_like(s)
        np.put_along_axis(weights, top, w, 1)
        return self._spread(weights)

    # -- features ------------------------------------------------------------------------------------------
    def features(self, fold_encoders: Sequence[Encoder] = ()) -> np.ndarray:
        """(occupations, items, features) float32; names in ``feature_names``. ``fold_encoders``: the encoder's
        cross-fitted companions, fold order (see the module docstring); none: the encoder's own similarities."""
        corpus, cfg = self.corpus, self.config
        occs, items = corpus.occupations, corpus.items
        occ_content = [" ".join((o.content_text, *o.label_texts[1:12])) for o in occs]
        occ_labels = [" ".join(o.label_texts[:12]) for o in occs]
        item_full = [i.full_text for i in items]
        item_short = [f"{i.name} {i.context}" for i in items]
        feats, names = [], []
        vec = TfidfVectorizer(analyzer=get_analyzer(default_analyzer(corpus.language)), sublinear_tf=True,
                              min_df=1, dtype=np.float32).fit(occ_content + item_full)
        v_occ = vec.transform(occ_content)
        occ_sim_lex = (v_occ @ v_occ.T).toarray()
        dense_occ = None
        if self.encoder is not None and (cfg.use_dense or cfg.use_graph):
            dense_occ = self.encoder.encode([o.content_text for o in occs], show_progress=self.show_progress)
        if cfg.use_graph:
            for g, w in enumerate(self._family_matrices()):
                feats.append(self._spread(w))
                names.append(f"family{g}")
            rel = self._related_matrix()
            if rel is not None:
                feats.append(self._spread(rel))
                names.append("related")
            feats.append(self._knn(occ_sim_lex))
            names.append("knn_lexical")
            if dense_occ is not None:
                feats.append(self._knn(dense_occ @ dense_occ.T))
                names.append("knn_dense")
        if cfg.use_lexical:
            lex = (v_occ @ vec.transform(item_full).T).toarray()
            lab = (vec.transform(occ_labels) @ vec.transform(item_short).T).toarray()
            feats += [lex, rank_discount(lex), lab, rank_discount(lab)]
            names += ["lex_content", "lex_content_rank", "lex_label", "lex_label_rank"]
            if corpus.language == "zh":
                feats.append(self._mentions())
                names.append("mention")
        if cfg.use_dense and dense_occ is not None:
            dense, dense_name = self._pair_similarities(self.encoder, np.arange(len(occs)), dense_occ)
            if fold_encoders:
                self._cross_fitted(dense, dense_name, fold_encoders)
            feats += [dense, rank_discount(dense), dense_name]
            names += ["dense_content", "dense_content_rank", "dense_name"]
        popularity = np.log1p(self.known.sum(axis=0))[None, :] * np.ones((len(occs), 1), dtype=np.float32)
        feats.append(popularity)
        names.append("popularity")
        self.feature_names = names
        return np.stack(feats, axis=-1).astype(np.float32)

    def _cross_fitted(self, dense: np.ndarray, dense_name: np.ndarray, fold_encoders: Sequence[Encoder]) -> None:
        """Overwrite the linked occupations' rows of the content and name similarities with those of the fold
        companion that was trained without their links."""
        occs = self.corpus.occupations
        fold_of = np.array([crossfit_fold(o.code, len(fold_encoders)) for o in occs])
        for fold in range(len(fold_encoders)):
            rows = np.flatnonzero(self.linked & (fold_of == fold))
            if len(rows):  # a lazily loaded companion (crossfit.FoldEncoders) is released before the next loads
                dense[rows], dense_name[rows] = self._pair_similarities(fold_encoders[fold], rows)
        self.crossfit_folds = len(fold_encoders)

    def _pair_similarities(self, encoder: Encoder, rows: np.ndarray, occ_vectors: np.ndarray | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
        """Dense similarities of occupations ``rows`` to every item with ``encoder``: content text vs item text,
        and name vs item name (``occ_vectors``: the rows' content vectors when already encoded)."""
        occs, items = self.corpus.occupations, self.corpus.items
        if occ_vectors is None:
            occ_vectors = encoder.encode([occs[r].content_text for r in rows], show_progress=self.show_progress)
        e_items = encoder.encode([i.full_text for i in items], show_progress=self.show_progress)
        e_item_names = encoder.encode([i.name for i in items], show_progress=self.show_progress)
        e_occ_names = encoder.encode([occs[r].label_texts[0] for r in rows], show_progress=self.show_progress)
        return occ_vectors @ e_items.T, e_occ_names @ e_item_names.T

    def _mentions(self) -> np.ndarray:
        texts = [i.text for i in self.corpus.items]
        out = np.zeros((len(self.corpus.occupations), len(texts)), dtype=np.float32)
        for a, o in enumerate(self.corpus.occupations):
            name = display_name(o.name)
            if len(name) >= 2:
                out[a] = [name in t for t in texts]
        return out

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(self, fold_encoders: Sequence[Encoder] = ()) -> np.ndarray:
        """Train on the linked occupations and return the (occupations × items) relevance matrix (see
        ``relevance``). ``fold_encoders``: the encoder's cross-fitted companions, if any (used when
        ``config.crossfit`` and the dense features are on)."""
        self.crossfit_folds = 0
        x = self.features(fold_encoders if self.config.crossfit else ())
        pop = self.feature_names.index("popularity")
        x_train = x[self.linked].copy()
        x_train[..., pop] = np.log1p(self.known.sum(axis=0)[None, :] - self.known[self.linked])  # own links out
        y = self.known[self.linked].reshape(-1)
        flat = x_train.reshape(-1, x.shape[-1])
        rng = np.random.default_rng(self.config.seed)
        rate = max(self.config.negative_rate, min(1.0, MIN_NEGATIVES / max(int((y == 0).sum()), 1)))
        keep = (y > 0) | (rng.random(y.shape[0]) < rate)
        if (y[keep] > 0).sum() < 5 or (y[keep] == 0).sum() < 5:
            self.model = None
            self.probabilities = np.zeros_like(self.known)
            return self.relevance()
        if self.config.model == "listwise":
            # the items' ranking for an occupation is what the matcher uses: fit it as a choice among all items
            self.model = ChoiceModel(hidden=0, seed=self.config.seed).fit(x_train, self.known[self.linked] > 0)
            score = self.model.logits(x_train).reshape(-1, 1)
            self.calibration = LogisticRegression(C=1.0, max_iter=1000).fit(score[keep], y[keep])
            z = self.calibration.decision_function(self.model.logits(x).reshape(-1, 1)).reshape(self.known.shape)
        else:
            if self.config.model == "gbdt":
                self.model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, max_leaf_nodes=15,
                                                            random_state=self.config.seed)
            else:
                self.model = LogisticRegression(C=1.0, max_iter=3000)
            self.model.fit(flat[keep], y[keep])
            z = self.model.decision_function(x.reshape(-1, x.shape[-1])).reshape(self.known.shape)
        z = z + np.log(rate)  # undo the negative subsampling
        self.probabilities = expit(z).astype(np.float32)
        return self.relevance()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["encoder"] = None  # only the fit needs it; a saved matcher keeps the fitted matrices, not the model
        return state

    def relevance(self) -> np.ndarray:
        """Known links first (1 + a little of the prediction, to order them), predictions elsewhere."""
        return np.where(self.known > 0, 1.0 + 0.01 * self.probabilities,
                        np.where(self.linked[:, None], 0.05, 1.0) * self.probabilities).astype(np.float32)

    def coefficients(self) -> dict[str, float]:
        """The linear weights by feature (per standard deviation for ``listwise``; empty for the boosted trees)."""
        if isinstance(self.model, ChoiceModel):
            weights = self.model.linear_weights()
        elif isinstance(self.model, LogisticRegression):
            weights = self.model.coef_[0]
        else:
            return {}
        return {n: round(float(c), 3) for n, c in zip(self.feature_names, weights)}
