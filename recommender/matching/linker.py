"""Occupation linking: free job text → ranked occupations with a probability each.

Every occupation is described by its *labels* (name without the L/S marks, aliases; O*NET alternate titles) and
its *content* (name, definition, tasks). For a query, candidates come from lexical and dense similarity; each
candidate gets a dozen features (best label match of the whole text and of its best segment, lexical and dense;
similarity to the definition; label contained in the query or the query in a label; shared head suffix, the
head of a Chinese job title being its end; exact label match; number of labels), and a small conditional-logit
network turns them into P(occupation | query).

The network is trained on pseudo-queries drawn from the labels themselves. Most are left-one-out (the alias is
removed from its occupation, as an unseen title would be), some are kept (a query may be a known title verbatim, as
O*NET alternate titles are).

When the corpus holds *labelled job titles* (``MatchingCorpus.job_titles``: real titles whose occupation is known,
such as a labelled split of a bench or workers' confirmed jobs), they are a second memory beside the labels: four
more features (best lexical and dense match among the occupation's labelled titles, a vote of the nearest labelled
titles, how many titles the occupation has: real titles concentrate on few occupations, and the margin of a linear
classifier of titles over character n-grams, which learns which words decide), and the network also trains on the
titles themselves, each with itself (and any title that cleans to the same text) hidden, its classifier margin
taken from a classifier that never saw it (out of fold).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2
from tqdm.auto import tqdm

from recommender.encoders.analysis import get_analyzer
from recommender.encoders.base import Encoder
from recommender.matching.corpus import MatchingCorpus, display_name
from recommender.matching.scoring import (
    QUERY_BATCH_ONE_THREAD,
    ChoiceModel,
    group_max,
    softmax,
    torch_threads,
)
from recommender.matching.text import normalise_label, query_variants

FEATURES = ("lex_full", "lex_seg", "lex_doc", "lex_content", "dense_full", "dense_seg", "dense_content",
            "label_in_query", "query_in_label", "suffix", "exact", "n_labels")
TITLE_FEATURES = ("title_lex", "title_dense", "title_vote", "title_prior", "title_class")
ABSENT_CLASS = -2.0  # classifier margin of an occupation without labelled titles (margins of the others: about ±1.5)


@dataclass(frozen=True)
class LinkerConfig:
    """Linker settings.

    candidates: occupations scored per query. pseudo_queries: training queries drawn from labels.
    exact_share: share of them left verbatim (not left out). hidden: units of the choice network (0: linear).
    dense_labels: labels per occupation that get a dense vector (the first ones: name, then aliases), lowered
    until at most dense_label_budget labels are encoded in all (bounds the encoding time of large taxonomies).
    string_labels: labels per candidate compared character by character (the lexically closest ones).
    exact_weight: share of the probability moved to the occupations the query names verbatim (a label).
    title_neighbours / title_temperature: the labelled titles that vote, and the softmax temperature of their votes.
    title_unseen_share: share of the labelled titles that train with all titles of their occupation hidden.
    """

    candidates: int = 60
    pseudo_queries: int = 2500
    exact_share: float = 0.25
    hidden: int = 16
    dense_labels: int = 24
    dense_label_budget: int = 4000
    string_labels: int = 12
    exact_weight: float = 0.8
    title_neighbours: int = 10
    title_temperature: float = 0.05
    title_unseen_share: float = 0.3
    seed: int = 13
    use_dense: bool = True


class OccupationLinker:
    """Links job texts to the corpus's occupations.

    Examples
    --------
    >>> linker = OccupationLinker(corpus, encoder).fit()            # doctest: +SKIP
    >>> codes, probs = linker.link(["焊工"])                         # doctest: +SKIP
    """

    has_titles = False  # class defaults: linkers pickled before labelled titles existed load without them
    features = FEATURES

    def __init__(self, corpus: MatchingCorpus, encoder: Encoder | None, config: LinkerConfig | None = None,
                 show_progress: bool = False):
        self.corpus = corpus
        self.encoder = encoder
        self.config = config or LinkerConfig()
        self.use_dense = self.config.use_dense and encoder is not None
        self.show_progress = show_progress
        self.language = corpus.language
        self.model: ChoiceModel | None = None
        self.fitted = False
        self._index()
        self._index_titles()

    # -- tables --------------------------------------------------------------------------------------------
    def _index(self) -> None:
        occs = self.corpus.occupations
        max_level = max(o.level for o in occs)
        self.candidate_mask = np.array([o.level >= min(3, max_level) for o in occs])
        texts, owner = [], []
        for k, o in enumerate(occs):
            if not self.candidate_mask[k]:
                continue
            for t in o.label_texts:
                texts.append(t)
                owner.append(k)
        self.label_text = texts
        self.label_occ = np.array(owner, dtype=np.int64)
        self.label_norm = [normalise_label(t) for t in texts]
        self.n_labels = np.bincount(self.label_occ, minlength=len(occs))
        starts = np.r_[0, np.flatnonzero(np.diff(self.label_occ)) + 1]
        self.label_range = {int(self.label_occ[s]): (int(s), int(e))
                            for s, e in zip(starts, np.r_[starts[1:], len(texts)])}
        self.exact_index: dict[str, set[int]] = {}
        for key, o in zip(self.label_norm, self.label_occ):
            if key:
                self.exact_index.setdefault(key, set()).add(int(o))
        content = [o.content_text for o in occs]
        if self.language == "zh":
            self.counter = CountVectorizer(analyzer=get_analyzer("char1-3"), dtype=np.float32)
        else:
            self.counter = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, dtype=np.float32)
        counts_label = self.counter.fit_transform(texts).tocsr()
        counts_content = self.counter.transform(content).tocsr()
        self.tfidf = TfidfTransformer(sublinear_tf=True).fit(sparse.vstack([counts_label, counts_content]))
        owner = sparse.csr_matrix((np.ones(len(texts), dtype=np.float32), (self.label_occ, np.arange(len(texts)))),
                                  shape=(len(occs), len(texts)))
        self.c_label = counts_label
        self.c_doc = (owner @ counts_label).tocsr()
        self.v_label = self.tfidf.transform(counts_label).tocsr()
        self.v_doc = self.tfidf.transform(self.c_doc).tocsr()
        self.v_content = self.tfidf.transform(counts_content).tocsr()
        per_occupation = self.config.dense_labels
        while per_occupation > 1 and sum(min(e - s, per_occupation) for s, e in self.label_range.values()) \
                > self.config.dense_label_budget:
            per_occupation -= 1
        self.dense_label_rows = np.array([i for s, e in self.label_range.values()
                                          for i in range(s, min(e, s + per_occupation))], dtype=np.int64)
        self.dense_label_rows.sort()
        if self.use_dense:
            self.e_label = self.encoder.encode([texts[i] for i in self.dense_label_rows],
                                               show_progress=self.show_progress)
            self.e_content = self.encoder.encode(content, show_progress=self.show_progress)

    def _index_titles(self) -> None:
        """The labelled job titles, grouped by occupation: cleaned text, TF-IDF and dense vectors, counts."""
        idx = self.corpus.occupation_index
        pairs = sorted(((idx[code], text) for text, code in self.corpus.job_titles), key=lambda p: p[0])
        self.has_titles = bool(pairs)
        self.features = FEATURES + (TITLE_FEATURES if self.has_titles else ())
        if not self.has_titles:
            return
        self.title_occ = np.array([o for o, _ in pairs], dtype=np.int64)
        self.title_source = [t for _, t in pairs]
        self.title_text = [query_variants(t, self.language)[0] for t in self.title_source]
        self.title_count = np.bincount(self.title_occ, minlength=len(self.corpus.occupations)).astype(np.float32)
        self.v_title = self._vectorize(self.title_text)
        if self.use_dense:
            self.e_title = self.encoder.encode(self.title_text, show_progress=self.show_progress)
        same: dict[str, list[int]] = {}
        for row, text in enumerate(self.title_text):
            same.setdefault(normalise_label(text) or text, []).append(row)
        self.title_same = [same[normalise_label(text) or text] for text in self.title_text]
        self.title_classifier = self._fit_title_classifier(np.arange(len(self.title_text)))

    def _fit_title_classifier(self, rows: np.ndarray) -> tuple[TfidfVectorizer, LinearSVC] | None:
        """A linear classifier of the cleaned titles ``rows`` into their occupations (None below two classes)."""
        if len(set(self.title_occ[rows].tolist())) < 2:
            return None
        if self.language == "zh":
            vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
        else:
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                         dtype=np.float32)
        x = vectorizer.fit_transform([self.title_text[r] for r in rows])
        return vectorizer, LinearSVC(C=0.5, random_state=self.config.seed).fit(x, self.title_occ[rows])

    def _class_scores(self, texts: list[str], classifier=None) -> np.ndarray:
        """(n, occupations) classifier margins of cleaned texts; ``ABSENT_CLASS`` for occupations it does not know."""
        classifier = classifier if classifier is not None else self.title_classifier
        out = np.full((len(texts), len(self.corpus.occupations)), ABSENT_CLASS, dtype=np.float32)
        if classifier is None or not texts:
            return out
        vectorizer, svm = classifier
        margins = svm.decision_function(vectorizer.transform(texts))
        if margins.ndim == 1:  # two classes: one margin, for the second
            margins = np.stack([-margins, margins], axis=1)
        out[:, svm.classes_] = margins
        return out

    def _out_of_fold_class_scores(self, folds: int = 5) -> np.ndarray:
        """Margins of every labelled title from a classifier trained on the other folds (titles of one text kept in
        one fold), so training features look like those of a new title."""
        n = len(self.title_text)
        group = np.array([min(rows) for rows in self.title_same])
        keys = np.unique(group)
        fold_of = dict(zip(keys.tolist(), (np.random.default_rng(self.config.seed).permutation(len(keys)) % folds)))
        fold = np.array([fold_of[g] for g in group.tolist()])
        out = np.full((n, len(self.corpus.occupations)), ABSENT_CLASS, dtype=np.float32)
        for f in range(folds):
            test = np.flatnonzero(fold == f)
            if len(test):
                classifier = self._fit_title_classifier(np.flatnonzero(fold != f))
                out[test] = self._class_scores([self.title_text[r] for r in test], classifier)
        return out

    def _title_features(self, vq: sparse.csr_matrix, eq: np.ndarray | None, hidden: dict[int, list[int]],
                        class_scores: np.ndarray, rowwise: bool = True) -> np.ndarray:
        """(nq, occupations, 5): the ``TITLE_FEATURES`` of queries (TF-IDF rows ``vq``, dense rows ``eq``,
        classifier margins ``class_scores``); ``hidden[i]``: labelled-title rows query ``i`` must not see (its own,
        when it is one). ``rowwise``: dense products row by row, so a real query's features do not depend on its
        batch (training needs not)."""
        n_occ = len(self.corpus.occupations)
        nq = vq.shape[0]
        lex = (vq @ self.v_title.T).toarray()
        if eq is None:
            dense = np.zeros_like(lex)
        else:
            dense = _rowwise(eq, self.e_title) if rowwise else eq @ self.e_title.T
        for i, rows in hidden.items():
            lex[i, rows] = -1.0
            dense[i, rows] = -1.0
        out = np.zeros((nq, n_occ, len(TITLE_FEATURES)), dtype=np.float32)
        out[:, :, 0] = group_max(lex, self.title_occ, n_occ)
        out[:, :, 1] = group_max(dense, self.title_occ, n_occ)
        closeness = lex + dense
        k = min(self.config.title_neighbours, closeness.shape[1])
        top = np.argpartition(-closeness, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(closeness, top, 1)
        w = np.exp((vals - vals.max(axis=1, keepdims=True)) / self.config.title_temperature)
        w[vals <= -1.0] = 0.0
        w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        np.add.at(out[:, :, 2], (np.repeat(np.arange(nq), k), self.title_occ[top].ravel()), w.ravel())
        counts = np.repeat(self.title_count[None, :], nq, axis=0)
        for i, rows in hidden.items():
            np.subtract.at(counts[i], self.title_occ[rows], 1.0)
        out[:, :, 3] = np.log1p(counts)
        out[:, :, 4] = class_scores
        return out

    # -- features ------------------------------------------------------------------------------------------
    def _vectorize(self, texts: list[str]) -> sparse.csr_matrix:
        return self.tfidf.transform(self.counter.transform(texts)).tocsr()

    def featurize(self, queries: list[str], leave_out: list[int | None] | None = None, chunk: int = 256,
                  hide_titles: list[list[int]] | None = None, class_scores: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Candidates (n, K) and features (n, K, len(self.features)) for ``queries``.

        ``leave_out[i]`` is a label index hidden from query ``i``'s own occupation (pseudo-queries), or None;
        ``hide_titles[i]``: labelled-title rows hidden from query ``i`` (its own when it is one); ``class_scores``:
        the title classifier's margins for the queries when not the fitted classifier's (out of fold, in training).
        """
        cands, feats = [], []
        steps = range(0, len(queries), chunk)
        for start in tqdm(steps, desc="link", unit="chunk", disable=not self.show_progress or len(steps) < 2):
            lo = leave_out[start: start + chunk] if leave_out is not None else None
            ht = hide_titles[start: start + chunk] if hide_titles is not None else None
            cs = class_scores[start: start + chunk] if class_scores is not None else None
            c, f = self._featurize_chunk(queries[start: start + chunk], lo, ht, cs)
            cands.append(c)
            feats.append(f)
        return np.concatenate(cands), np.concatenate(feats)

    def _featurize_chunk(self, queries: list[str], leave_out, hide_titles=None, class_scores=None):
        n_occ = len(self.corpus.occupations)
        variants = [query_variants(q, self.language) for q in queries]
        full = [v[0] for v in variants]
        seg_owner = [i for i, v in enumerate(variants) for _ in v[1:]]
        segs = [s for v in variants for s in v[1:]]
        nq = len(queries)
        hidden = self._hidden_labels(leave_out) if leave_out is not None else {}
        vq = self._vectorize(full)
        lab = (vq @ self.v_label.T).toarray()
        for i, cols in hidden.items():
            lab[i, cols] = -1.0
        lex_full = group_max(lab, self.label_occ, n_occ)
        lex_seg = lex_full.copy()
        if segs:
            s_lab = (self._vectorize(segs) @ self.v_label.T).toarray()
            for r, i in enumerate(seg_owner):
                if i in hidden:
                    s_lab[r, hidden[i]] = -1.0
            s_max = group_max(s_lab, self.label_occ, n_occ)
            np.maximum.at(lex_seg, np.array(seg_owner), s_max)
        lex_doc = (vq @ self.v_doc.T).toarray()
        self._leave_out_docs(vq, lex_doc, hidden)
        lex_content = (vq @ self.v_content.T).toarray()
        dense_full = dense_seg = dense_content = np.zeros((nq, n_occ), dtype=np.float32)
        eq = None
        if self.use_dense:
            eq = self.encoder.encode(full)
            d_lab = eq @ self.e_label.T
            pos = {int(r): j for j, r in enumerate(self.dense_label_rows)}
            for i, cols in hidden.items():
                d_lab[i, [pos[c] for c in cols if c in pos]] = -1.0
            owner = self.label_occ[self.dense_label_rows]
            dense_full = group_max(d_lab, owner, n_occ)
            dense_seg = dense_full.copy()
            if segs:
                ds = self.encoder.encode(segs) @ self.e_label.T
                for r, i in enumerate(seg_owner):
                    if i in hidden:
                        ds[r, [pos[c] for c in hidden[i] if c in pos]] = -1.0
                np.maximum.at(dense_seg, np.array(seg_owner), group_max(ds, owner, n_occ))
            dense_content = eq @ self.e_content.T
        titles = None
        if self.has_titles:
            hide = {i: rows for i, rows in enumerate(hide_titles or ()) if rows}
            if class_scores is None:
                class_scores = self._class_scores(full)
            titles = self._title_features(vq, eq, hide, class_scores, rowwise=False)
        cand, x = self._candidates(lex_full, lex_seg, lex_doc, lex_content, dense_full, dense_seg, dense_content,
                                   titles=titles)
        for i in range(nq):
            self._string_features(i, variants[i], cand[i], lab[i], hidden.get(i, []), x[i])
        return cand, x

    def _candidates(self, *channels: np.ndarray, titles: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``config.candidates`` best occupations per query by the first-stage score, best first, and their
        feature rows with the seven channel scores (and the title features) filled in (string features are added
        by the caller).

        ``channels``: lex_full, lex_seg, lex_doc, lex_content, dense_full, dense_seg, dense_content, each (nq, n_occ);
        ``titles``: (nq, n_occ, 5) ``TITLE_FEATURES`` when the corpus has labelled titles.
        """
        lex_full, _, lex_doc, lex_content, dense_full, _, dense_content = channels
        first = lex_full + 0.5 * lex_doc + 0.5 * lex_content + dense_full + 0.5 * dense_content
        if titles is not None:
            first = first + np.maximum(titles[:, :, 0], 0.0) + 2.0 * titles[:, :, 2] \
                + np.maximum(titles[:, :, 4] + 1.0, 0.0)
        first[:, ~self.candidate_mask] = -np.inf
        nq = first.shape[0]
        k = min(self.config.candidates, int(self.candidate_mask.sum()))
        cand = np.argpartition(-first, k - 1, axis=1)[:, :k]
        cand = np.take_along_axis(cand, np.argsort(-np.take_along_axis(first, cand, 1), axis=1), 1)
        rows = np.arange(nq)[:, None]
        x = np.zeros((nq, k, len(self.features)), dtype=np.float32)
        for j, m in enumerate(channels):
            x[:, :, j] = m[rows, cand]
        if titles is not None:
            x[:, :, len(FEATURES):] = titles[rows, cand]
        return cand, x

    def _hidden_labels(self, leave_out) -> dict[int, list[int]]:
        out = {}
        for i, j in enumerate(leave_out):
            if j is None:
                continue
            s, e = self.label_range[int(self.label_occ[j])]
            out[i] = [c for c in range(s, e) if self.label_norm[c] == self.label_norm[j]]
        return out

    def _leave_out_docs(self, vq, lex_doc, hidden) -> None:
        """Similarity to the occupation's label document without the hidden labels (count arithmetic)."""
        if not hidden:
            return
        rows = list(hidden)
        occs = [int(self.label_occ[hidden[i][0]]) for i in rows]
        removed = sparse.vstack([sparse.csr_matrix(self.c_label[hidden[i]].sum(axis=0)) for i in rows]).tocsr()
        counts = self.c_doc[occs] - removed
        counts.data = np.maximum(counts.data, 0)
        counts.eliminate_zeros()
        vd = self.tfidf.transform(counts)
        lex_doc[rows, occs] = np.asarray(vq[rows].multiply(vd).sum(axis=1)).ravel()

    def _string_features(self, i, variants, cand, lab_row, hidden, out) -> None:
        keys = {normalise_label(v) for v in variants}
        hidden = set(hidden)
        n_str = self.config.string_labels
        for kk, o in enumerate(cand):
            s, e = self.label_range.get(int(o), (0, 0))
            labels = [c for c in range(s, e) if c not in hidden]
            if len(labels) > n_str:
                labels = sorted(labels, key=lambda c: -lab_row[c])[:n_str]
            contain = qin = suffix = exact = 0.0
            for c in labels:
                t = self.label_norm[c]
                if not t:
                    continue
                if t in keys:
                    exact = 1.0
                for v in keys:
                    if not v:
                        continue
                    if len(t) >= 2 and t in v:
                        contain = max(contain, len(t) / len(v))
                    if len(v) >= 2 and v in t:
                        qin = max(qin, len(v) / len(t))
                    if v[-1] == t[-1]:
                        suffix = max(suffix, _common_suffix(v, t) / len(t))
            n_labels = e - s - sum(1 for c in hidden if s <= c < e)
            out[kk, 7:12] = (contain, qin, suffix, exact, np.log1p(n_labels))

    # -- query time ----------------------------------------------------------------------------------------
    # ``featurize`` serves training (pseudo-queries with a left-out label); ``query_features`` computes the same
    # features for real queries (nothing left out) from tables prepared once per linker: the transposed similarity
    # matrices stacked, a direct TF-IDF vectorizer and string tables, so one query costs one sparse product, two
    # dense ones and a light pass over its candidates' labels. Every query is computed on its own rows, so its
    # features do not depend on the batch. tests/perf/test_query_paths.py checks that both give the same features.

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_query", None)  # derived tables: rebuilt on the first query after loading
        state["encoder"] = None  # configuration: the matcher sets it again after loading (``Matcher.encoder``)
        return state

    def query_texts(self, queries: list[str]) -> list[str]:
        """The texts ``query_features`` encodes for ``queries`` (cleaned titles and their segments)."""
        if not self.use_dense:
            return []
        return list(dict.fromkeys(v for q in queries for v in query_variants(q, self.language)))

    def query_features(self, queries: list[str], embeddings: Mapping[str, np.ndarray] | None = None,
                       chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """Candidates (n, K) and features (n, K, len(FEATURES)) of real queries; equal to ``featurize(queries)``."""
        if not queries:
            return self.featurize(queries)
        cands, feats = [], []
        steps = range(0, len(queries), chunk)
        for start in tqdm(steps, desc="link", unit="chunk", disable=not self.show_progress or len(steps) < 2):
            c, f = self._query_chunk(queries[start: start + chunk], embeddings)
            cands.append(c)
            feats.append(f)
        return np.concatenate(cands), np.concatenate(feats)

    def _query_tables(self) -> dict:
        tables = self.__dict__.get("_query")
        if tables is not None:
            return tables
        norms = self.label_norm
        width = max((len(t) for t in norms), default=1) or 1
        reversed_codes = np.full((len(norms), width), -1, dtype=np.int32)
        for c, t in enumerate(norms):
            if t:
                reversed_codes[c, : len(t)] = [ord(ch) for ch in reversed(t)]
        by_norm: dict[str, list[int]] = {}
        for c, t in enumerate(norms):
            if t:
                by_norm.setdefault(t, []).append(c)
        n_occ = len(self.corpus.occupations)
        label_ranges: list[range] = [range(0)] * n_occ
        for o, (s, e) in self.label_range.items():
            label_ranges[o] = range(s, e)
        keyed_labels = [[c for c in r if norms[c]] for r in label_ranges]
        n_in_range = np.array([len(r) for r in label_ranges], dtype=np.int64)
        tables = {
            "vocabulary": self.counter.vocabulary_,
            "analyzer": self.counter.build_analyzer(),
            "sublinear": bool(self.tfidf.sublinear_tf),
            "direct": self.tfidf.norm == "l2" and self.tfidf.use_idf,  # what _vectorize_fast reproduces
            "idf": self.tfidf.idf_,
            "lexical_t": sparse.vstack([self.v_label, self.v_doc, self.v_content]).T.tocsr(),
            "norm_len": np.array([len(t) for t in norms], dtype=np.int64),
            "reversed_codes": reversed_codes,
            "label_ranges": label_ranges,
            "keyed_labels": keyed_labels,
            "log_n_labels": np.log1p(n_in_range),
            "by_norm": by_norm,
            "joined": "\x00".join(norms),  # the label keys, to find a key inside all of them in one pass
            "starts": list(itertools.accumulate((len(t) + 1 for t in norms[:-1]), initial=0)),
        }
        if self.use_dense:
            tables["dense_owner"] = self.label_occ[self.dense_label_rows]
        self.__dict__["_query"] = tables
        return tables

    def _vectorize_fast(self, texts: list[str], tables: dict) -> sparse.csr_matrix:
        """``self._vectorize(texts)`` without sklearn's per-call validation (same counts, weights and norm)."""
        if not tables["direct"]:
            return self._vectorize(texts)
        vocabulary, analyze = tables["vocabulary"], tables["analyzer"]
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in texts:
            row: dict[int, int] = {}
            for token in analyze(text):
                j = vocabulary.get(token)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
            for j in sorted(row):
                indices.append(j)
                counts.append(row[j])
            indptr.append(len(indices))
        data = np.asarray(counts, dtype=np.float32)
        cols = np.asarray(indices, dtype=np.int32)
        if tables["sublinear"]:
            np.log(data, data)
            data += 1.0
        data *= tables["idf"][cols]
        out = sparse.csr_matrix((data, cols, np.asarray(indptr, dtype=np.int32)),
                                shape=(len(texts), len(vocabulary)))
        inplace_csr_row_normalize_l2(out)
        return out

    def _query_chunk(self, queries: list[str], embeddings: Mapping[str, np.ndarray] | None):
        tables = self._query_tables()
        n_occ = len(self.corpus.occupations)
        variants = [query_variants(q, self.language) for q in queries]
        full = [v[0] for v in variants]
        seg_owner = np.array([i for i, v in enumerate(variants) for _ in v[1:]], dtype=np.int64)
        segs = [s for v in variants for s in v[1:]]
        nq = len(queries)
        # One product gives the label, label-document and content similarities of the texts and their segments
        # (row by row, so each row is what separate products give).
        n_lab = len(self.label_text)
        vq = self._vectorize_fast(full + segs, tables)
        sims = (vq @ tables["lexical_t"]).toarray()
        lab = sims[:nq, :n_lab]
        lex_full = group_max(lab, self.label_occ, n_occ)
        lex_seg = lex_full.copy()
        if segs:
            s_max = group_max(sims[nq:, :n_lab], self.label_occ, n_occ)
            firsts = np.r_[0, np.flatnonzero(np.diff(seg_owner)) + 1]
            owners = seg_owner[firsts]
            lex_seg[owners] = np.maximum(lex_seg[owners], np.maximum.reduceat(s_max, firsts, axis=0))
        lex_doc = np.ascontiguousarray(sims[:nq, n_lab: n_lab + n_occ])
        lex_content = np.ascontiguousarray(sims[:nq, n_lab + n_occ:])
        dense_full = dense_seg = dense_content = np.zeros((nq, n_occ), dtype=np.float32)
        eq = None
        if self.use_dense:
            vectors = dict(embeddings or {})
            missing = [t for t in dict.fromkeys(full + segs) if t not in vectors]
            if missing:
                with torch_threads(1) if len(missing) <= QUERY_BATCH_ONE_THREAD else nullcontext():
                    vectors.update(zip(missing, self.encoder.encode(missing)))
            owner = tables["dense_owner"]
            eq = np.stack([vectors[t] for t in full]).astype(np.float32, copy=False)
            dense_full = group_max(_rowwise(eq, self.e_label), owner, n_occ)
            dense_seg = dense_full.copy()
            if segs:
                es = np.stack([vectors[t] for t in segs]).astype(np.float32, copy=False)
                d_max = group_max(_rowwise(es, self.e_label), owner, n_occ)
                firsts = np.r_[0, np.flatnonzero(np.diff(seg_owner)) + 1]
                owners = seg_owner[firsts]
                dense_seg[owners] = np.maximum(dense_seg[owners], np.maximum.reduceat(d_max, firsts, axis=0))
            dense_content = _rowwise(eq, self.e_content)
        titles = self._title_features(vq[:nq], eq, {}, self._class_scores(full)) if self.has_titles else None
        cand, x = self._candidates(lex_full, lex_seg, lex_doc, lex_content, dense_full, dense_seg, dense_content,
                                   titles=titles)
        for i in range(nq):
            x[i, :, 7:12] = self._string_features_fast(variants[i], cand[i], lab[i], tables)
        return cand, x

    def _string_features_fast(self, variants, cand, lab_row, tables) -> np.ndarray:
        """``_string_features`` of a real query (nothing hidden) for all candidates at once: (K, 5) float64."""
        out = np.zeros((len(cand), 5))
        out[:, 4] = tables["log_n_labels"][cand]
        # The labels compared: every label of a candidate, or its string_labels lexically closest ones (ties: the
        # earlier label), as in ``_string_features``; labels without a key are never compared.
        keyed, ranged = tables["keyed_labels"], tables["label_ranges"]
        n_str = self.config.string_labels
        chosen: list[int] = []
        block_of: list[int] = []  # per chosen label, its candidate's position in ``cand``
        for k, o in enumerate(cand.tolist()):
            labels = keyed[o]
            if len(ranged[o]) > n_str:
                closest = sorted(ranged[o], key=lambda c: -lab_row[c])[:n_str]
                labels = [c for c in closest if self.label_norm[c]]
            chosen.extend(labels)
            block_of.extend([k] * len(labels))
        if not chosen:
            return out
        norm_len = tables["norm_len"]
        lengths = norm_len[chosen]
        values = np.zeros((len(chosen), 4))  # contain, qin, suffix, exact per chosen label
        codes = tables["reversed_codes"][chosen]
        position = {c: j for j, c in enumerate(chosen)}
        by_norm, joined, starts = tables["by_norm"], tables["joined"], tables["starts"]
        longest = codes.shape[1]
        for v in {normalise_label(v) for v in variants}:
            if not v:
                continue
            n = len(v)
            for c in by_norm.get(v, ()):  # the label is the key
                if c in position:
                    values[position[c], 3] = 1.0
            if n * min(n, longest) <= len(position):  # labels (≥ 2 characters) inside the key: its substrings
                for i in range(n - 1):
                    for e in range(i + 2, min(n, i + longest) + 1):
                        for c in by_norm.get(v[i:e], ()):
                            j = position.get(c)
                            if j is not None and values[j, 0] < (e - i) / n:
                                values[j, 0] = (e - i) / n
            else:  # a long key: test the compared labels instead
                for c, j in position.items():
                    t = self.label_norm[c]
                    if len(t) >= 2 and t in v and values[j, 0] < len(t) / n:
                        values[j, 0] = len(t) / n
            if n >= 2:  # labels the key is inside: find it in all labels at once
                at = joined.find(v)
                while at != -1:
                    j = position.get(bisect_right(starts, at) - 1)
                    if j is not None and values[j, 1] < n / lengths[j]:
                        values[j, 1] = n / lengths[j]
                    at = joined.find(v, at + 1)
            width = min(n, longest)
            tail = np.fromiter(map(ord, v[::-1][:width]), dtype=np.int32, count=width)
            common = np.cumprod(codes[:, :width] == tail, axis=1).sum(axis=1)
            same_end = np.flatnonzero(common)
            if len(same_end):
                values[same_end, 2] = np.maximum(values[same_end, 2], common[same_end] / lengths[same_end])
        blocks = np.asarray(block_of)
        firsts = np.r_[0, np.flatnonzero(np.diff(blocks)) + 1]
        out[blocks[firsts], :4] = np.maximum.reduceat(values, firsts, axis=0)
        return out

    # -- training ------------------------------------------------------------------------------------------
    def pseudo_queries(self) -> tuple[list[str], list[int | None], np.ndarray]:
        """Training queries drawn from the labels: (texts, left-out label or None, true occupation)."""
        rng = np.random.default_rng(self.config.seed)
        names = {s for s, _ in self.label_range.values()}
        aliases = [j for j in range(len(self.label_text)) if j not in names
                   and self.n_labels[self.label_occ[j]] >= 2 and self.label_norm[j]]
        n_total = min(self.config.pseudo_queries, max(len(aliases), 50))
        n_exact = round(n_total * self.config.exact_share)
        loo = rng.permutation(aliases)[: n_total - n_exact].tolist()
        pool = np.array(sorted(set(range(len(self.label_text))) - set(loo)))
        verbatim = rng.permutation(pool)[:n_exact].tolist()
        picks = [(j, j) for j in loo] + [(j, None) for j in verbatim]
        texts = [self.label_text[j] for j, _ in picks]
        leave = [lo for _, lo in picks]
        truth = np.array([self.label_occ[j] for j, _ in picks])
        return texts, leave, truth

    def fit(self) -> OccupationLinker:
        """Train the choice network on pseudo-queries, and on the labelled job titles when there are any."""
        texts, leave, truth = self.pseudo_queries()
        cand, x = self.featurize(texts, leave)
        targets = cand == truth[:, None]
        if self.has_titles:
            rows = list(range(len(self.title_source)))
            answers = [self.title_occ[self.title_same[r]] for r in rows]  # every occupation the text is labelled with
            # Each title hides itself (and its same-text twins); a share hides all titles of its occupations, as a
            # query whose occupation has no labelled title yet sees them (new occupations, links unknown).
            rng = np.random.default_rng(self.config.seed)
            unseen = rng.random(len(rows)) < self.config.title_unseen_share
            hide = [sorted(np.flatnonzero(np.isin(self.title_occ, a)).tolist()) if u else self.title_same[r]
                    for r, a, u in zip(rows, answers, unseen)]
            margins = self._out_of_fold_class_scores()
            for r in np.flatnonzero(unseen):
                margins[r, answers[r]] = ABSENT_CLASS  # as if no title of its occupation had been seen
            t_cand, t_x = self.featurize(self.title_source, hide_titles=hide, class_scores=margins)
            t_targets = np.stack([np.isin(c, a) for c, a in zip(t_cand, answers)])
            cand, x = np.concatenate([cand, t_cand]), np.concatenate([x, t_x])
            targets = np.concatenate([targets, t_targets])
        try:
            self.model = ChoiceModel(hidden=self.config.hidden, seed=self.config.seed).fit(x, targets)
        except ValueError:  # too few labels to learn from (a tiny catalog): fixed weights instead
            self.model = None
        self.fitted = True
        return self

    @staticmethod
    def _fixed_logits(x: np.ndarray, features: tuple[str, ...] = FEATURES) -> np.ndarray:
        """Hand-set weights for catalogs too small to train on: best label match, content, exact match, and the
        labelled titles when there are any."""
        w = {"lex_seg": 6.0, "lex_doc": 2.0, "lex_content": 2.0, "dense_seg": 3.0, "dense_content": 1.0,
             "label_in_query": 2.0, "exact": 4.0, "title_lex": 4.0, "title_vote": 2.0, "title_class": 1.0}
        return sum(x[:, :, features.index(name)] * weight for name, weight in w.items() if name in features)

    # -- linking -------------------------------------------------------------------------------------------
    def link(self, queries: list[str], *, embeddings: Mapping[str, np.ndarray] | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate occupation indices (n, K), best first, and their probabilities (n, K).

        ``embeddings`` may hold the encoder's vectors of ``query_texts(queries)`` (a caller that encodes other
        texts too encodes them all in one call); missing ones are encoded here.
        """
        if not self.fitted:
            raise RuntimeError("fit() the linker first")
        cand, x = self.query_features(list(queries), embeddings)
        probs = softmax(self.model.logits(x) if self.model is not None else self._fixed_logits(x, self.features),
                        axis=1)
        if self.config.exact_weight > 0:
            probs = self._exact_prior(cand, x, probs)
        order = np.argsort(-probs, axis=1)
        return np.take_along_axis(cand, order, 1), np.take_along_axis(probs, order, 1)

    def _exact_prior(self, cand: np.ndarray, x: np.ndarray, probs: np.ndarray) -> np.ndarray:
        """Move ``exact_weight`` of the mass to the candidates one of whose labels the query is, verbatim."""
        exact = x[:, :, FEATURES.index("exact")] > 0
        n = exact.sum(axis=1, keepdims=True)
        lam = self.config.exact_weight * (n > 0)
        return (1 - lam) * probs + lam * exact / np.maximum(n, 1)

    def link_codes(self, query: str, k: int = 5) -> list[tuple[str, str, float]]:
        """The ``k`` most probable occupations of one query as (code, name, probability)."""
        cand, probs = self.link([query])
        occs = self.corpus.occupations
        return [(occs[o].code, display_name(occs[o].name), float(p)) for o, p in zip(cand[0][:k], probs[0][:k])]


def _rowwise(queries: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``queries @ table.T`` one query row at a time, so a query's similarities do not depend on the other queries
    of its batch (one matrix product over the batch may sum in another order, and differ in the last bit)."""
    return (queries[:, None, :] @ table.T)[:, 0, :]


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n

