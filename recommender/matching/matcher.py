"""Major matching: job text → occupations → items, fused with direct content similarity.

Channels (any subset; ``links`` is the backbone):

``links``
    The text is linked to occupations (``OccupationLinker``: P(occupation | text)); each occupation contributes
    its items: known links, and for an occupation without known links the items the ``LinkPredictor`` infers
    from its code family, related occupations and (when the content channels are on) its text against the
    items' text. Score: ``Σ_o P(o | text) · relevance(o, item)``.
``lexical``
    BM25 of the text against the items' text (``LexicalIndex``); also turns on the lexical features of the link
    predictor and the linker.
``dense``
    Cosine of the text and the items' text with the encoder, searched in a FAISS index (``DenseIndex``); also
    turns on the dense features of the link predictor and the linker.

With ``links`` on, the content channels are added with small weights (``lexical_weight``, ``dense_weight``) to
the min-max-normalised link score; without it, they are fused by reciprocal-rank fusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import numpy as np

from recommender.encoders.base import Encoder
from recommender.encoders.crossfit import crossfit_encoders, predictor_encoder
from recommender.errors import UserError
from recommender.indexes.bundle import ItemIndexes
from recommender.indexes.dense import DenseIndex, DenseIndexConfig
from recommender.indexes.lexical import LexicalIndex
from recommender.matching.corpus import MatchingCorpus, display_name
from recommender.matching.link_prediction import LinkPredictor, LinkPredictorConfig
from recommender.matching.linker import LinkerConfig, OccupationLinker
from recommender.matching.scoring import QUERY_BATCH_ONE_THREAD, minmax_rows, torch_threads

CHANNELS = ("links", "lexical", "dense")


@dataclass(frozen=True)
class MatcherConfig:
    """Matcher settings; ``channels`` is a subset of ``CHANNELS``."""

    channels: tuple[str, ...] = CHANNELS
    lexical_weight: float = 0.1
    dense_weight: float = 0.1
    rrf_k: int = 60
    linker: LinkerConfig = field(default_factory=LinkerConfig)
    link_prediction: LinkPredictorConfig = field(default_factory=LinkPredictorConfig)
    dense_index: DenseIndexConfig = field(default_factory=DenseIndexConfig)

    def __post_init__(self) -> None:
        bad = [c for c in self.channels if c not in CHANNELS]
        if bad or not self.channels:
            raise UserError(f"unknown channel(s) {', '.join(bad) or '(none)'}; choose from {', '.join(CHANNELS)}")


@dataclass(frozen=True)
class ChannelScores:
    """A batch's channel scores before fusion: ``parts`` by channel name, (n, items) each; the linked occupations
    of each query; and ``known`` (n, items), the part of the links channel that comes from known links (the rest
    is the link predictor's), when asked for."""

    parts: dict[str, np.ndarray]
    linked: list[list[tuple[str, float]]]
    known: np.ndarray | None = None


@dataclass(frozen=True)
class RankedItems:
    """One query's result: item ids and scores, best first, and the occupations it was linked to."""

    items: list[tuple[str, float]]
    occupations: list[tuple[str, float]]


def top_items(scores: np.ndarray, linked: Sequence[list[tuple[str, float]]], ids: Sequence[str], k: int,
              allowed: set[str] | None = None) -> list[RankedItems]:
    """Each row's ``k`` best items (ties in item order; only ``allowed`` ids when given) with its occupations."""
    if allowed is not None:
        mask = np.array([i in allowed for i in ids])
        scores = np.where(mask[None, :], scores, -np.inf)
    out = []
    for row, occs in zip(scores, linked):
        top = np.argsort(-row, kind="stable")[:k]
        top = top[np.isfinite(row[top])]
        out.append(RankedItems(list(zip([ids[j] for j in top.tolist()], row[top].tolist())), occs))
    return out


class MajorMatching:
    """The recommender's ``MajorMatcher`` protocol (``recommender.recommend.engine``) on anything with a ``corpus``
    and a ``rank`` method: the matcher and the ensemble of matchers. The lookups it derives are kept in
    ``self.__dict__["_match"]``; classes drop them when their corpus changes and when pickled."""

    corpus: MatchingCorpus

    def match(self, text: str, *, levels: Sequence[str] | None = None, k: int = 50):
        """Occupations linked to ``text`` and majors ranked for it (``recommender.recommend.engine.MajorMatcher``)."""
        return self.match_many([text], levels=levels, k=k)[0]

    def match_many(self, texts: Sequence[str], *, levels: Sequence[str] | None = None, k: int = 50) -> list:
        """``[match(text, levels=levels, k=k) for text in texts]``, scored in one batch (the same results)."""
        from recommender.recommend.engine import LinkedOccupation, MajorCandidate

        allowed = None
        if levels:
            wanted = set(levels)
            allowed = {i.item_id for i in self.corpus.items if i.level in wanted}
        names, links_of = self._match_tables()
        out = []
        for result in self.rank(list(texts), k=k, allowed=allowed):
            occupations = [LinkedOccupation(code, names[code], round(p, 4)) for code, p in result.occupations[:5]]
            linked_codes = {code for code, p in result.occupations[:5] if p >= 0.05}
            serves: dict[str, list[str]] = {}
            for _position, item_id, code in sorted(pair for c in linked_codes for pair in links_of.get(c, ())):
                serves.setdefault(item_id, []).append(code)
            codes = {item_id: tuple(found) for item_id, found in serves.items()}
            majors = [MajorCandidate(item_id, score, codes.get(item_id, ())) for item_id, score in result.items]
            out.append((occupations, majors))
        return out

    def _match_tables(self) -> tuple[dict[str, str], dict[str, list[tuple[int, str, str]]]]:
        """Display names by occupation code, and the corpus's links by occupation (with their position in
        ``corpus.links``, so the codes an item serves keep the corpus's order); built once."""
        tables = self.__dict__.get("_match")
        if tables is None:
            names = {o.code: display_name(o.name) for o in self.corpus.occupations}
            links_of: dict[str, list[tuple[int, str, str]]] = {}
            for position, (item_id, code) in enumerate(self.corpus.links):
                links_of.setdefault(code, []).append((position, item_id, code))
            tables = self.__dict__["_match"] = (names, links_of)
        return tables


def fit_link_predictor(corpus: MatchingCorpus, encoder: Encoder | None, config: MatcherConfig,
                       show_progress: bool = False) -> LinkPredictor:
    """The matcher's link predictor, fitted on ``corpus``'s known links (its lexical and dense features only when
    ``config.channels`` has those channels). With a model averaged from members (``recommender.encoders.crossfit``)
    the predictor works with the members: the full one for the occupations it predicts, the cross-fitted companions
    for the linked occupations' training rows. The fitted predictor holds no encoder."""
    channels = set(config.channels)
    lp_config = replace(config.link_prediction,
                        use_lexical=config.link_prediction.use_lexical and "lexical" in channels,
                        use_dense=config.link_prediction.use_dense and "dense" in channels and encoder is not None)
    predictor = LinkPredictor(corpus, predictor_encoder(encoder), lp_config, show_progress)
    predictor.fit(crossfit_encoders(encoder) if lp_config.use_dense and lp_config.crossfit else [])
    predictor.encoder = None  # the members are needed for the fit only: let them go (memory)
    return predictor


class Matcher(MajorMatching):
    """Ranks the corpus's items for job texts.

    Parameters
    ----------
    corpus : MatchingCorpus
    encoder : Encoder or None
        Needed when the ``dense`` channel is on.
    config : MatcherConfig

    Examples
    --------
    >>> matcher = Matcher(corpus, get_encoder("use")).fit()       # doctest: +SKIP
    >>> matcher.rank(["汽车维修机修工"], k=10)[0].items[:3]          # doctest: +SKIP
    """

    def __init__(self, corpus: MatchingCorpus, encoder: Encoder | None = None, config: MatcherConfig | None = None,
                 show_progress: bool = False):
        self.corpus = corpus
        self.config = config or MatcherConfig()
        channels = set(self.config.channels)
        if "dense" in channels and encoder is None:
            raise UserError("the dense channel needs an encoder")
        self.encoder = encoder if "dense" in channels else None
        self.show_progress = show_progress
        self.linker: OccupationLinker | None = None
        self.predictor: LinkPredictor | None = None
        self.relevance: np.ndarray | None = None
        self.lexical_index: LexicalIndex | None = None
        self.dense_index: DenseIndex | None = None

    @property
    def encoder(self) -> Encoder | None:
        """The encoder of the dense channel and of the linker's queries. It is configuration, never pickled (a
        loaded matcher gets it set again, which also gives it to the linker)."""
        return self._encoder

    @encoder.setter
    def encoder(self, encoder: Encoder | None) -> None:
        self._encoder = encoder
        if getattr(self, "linker", None) is not None:
            self.linker.encoder = encoder

    @property
    def item_ids(self) -> list[str]:
        return [i.item_id for i in self.corpus.items]

    @property
    def members(self) -> list[Matcher]:
        """The matchers that rank: this one (an ensemble, ``recommender.matching.ensemble``, has several)."""
        return [self]

    def fit(self, indexes: ItemIndexes | None = None) -> Matcher:
        """Build (or take the prebuilt, persisted) indexes, train the linker and the link predictor (knowledge
        only: the corpus's texts and known links)."""
        channels = set(self.config.channels)
        items = self.corpus.items
        if indexes is not None and (self.encoder is None or indexes.encoder_name == self.encoder.name) \
                and indexes.items_dense.ids == self.item_ids:
            self.lexical_index, self.dense_index = indexes.items_lexical, indexes.items_dense
        if "lexical" in channels and self.lexical_index is None:
            self.lexical_index = LexicalIndex().fit([i.full_text for i in items], self.item_ids)
        if "dense" in channels and self.dense_index is None:
            vectors = self.encoder.encode([i.full_text for i in items], show_progress=self.show_progress)
            self.dense_index = DenseIndex.build(vectors, self.item_ids, self.config.dense_index)
        if "links" in channels:
            self.predictor = fit_link_predictor(self.corpus, self.encoder, self.config, self.show_progress)
            self.relevance = self.predictor.relevance()
            self._fit_linker()
        return self

    def _fit_linker(self) -> None:
        linker_config = replace(self.config.linker, use_dense="dense" in self.config.channels)
        self.linker = OccupationLinker(self.corpus, self.encoder, linker_config, self.show_progress).fit()

    def learn_titles(self, job_titles: Sequence[tuple[str, str]]) -> Matcher:
        """Replace the corpus's labelled job titles (``(text, occupation code)``) and refit the occupation linker,
        the only part that learns from them; the indexes and the link predictor stay. Returns self."""
        self.corpus = replace(self.corpus, job_titles=list(job_titles))
        self.__dict__.pop("_match", None)
        if "links" in self.config.channels:
            self._fit_linker()
        return self

    # -- scoring -------------------------------------------------------------------------------------------
    def score(self, queries: Sequence[str]) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        """Scores of every item for every query (n, items) and the linked occupations of each query.

        A query's row does not depend on the other queries of the batch (bit for bit), so scoring texts in
        batches and one at a time give the same rankings.
        """
        channels = self.channel_scores(queries)
        return self.fuse(channels.parts), channels.linked

    def channel_scores(self, queries: Sequence[str], with_known: bool = False) -> ChannelScores:
        """Each channel's raw scores of every item for every query, before fusion (``score`` fuses them); with
        ``with_known``, also the share of the links channel that comes from known links."""
        queries = list(queries)
        channels = set(self.config.channels)
        n_items = len(self.corpus.items)
        parts: dict[str, np.ndarray] = {}
        linked: list[list[tuple[str, float]]] = [[] for _ in queries]
        known = None
        vectors: dict[str, np.ndarray] = {}
        if "dense" in channels and queries:  # one encoder call for the queries and the linker's texts
            texts = list(dict.fromkeys(queries + (self.linker.query_texts(queries) if "links" in channels else [])))
            with torch_threads(1) if len(texts) <= QUERY_BATCH_ONE_THREAD else nullcontext():
                vectors = dict(zip(texts, self.encoder.encode(texts, show_progress=self.show_progress)))
        if "links" in channels:
            cand, probs = self.linker.link(queries, embeddings=vectors)
            parts["links"] = np.einsum("qk,qki->qi", probs, self.relevance[cand])
            if with_known:
                known = np.einsum("qk,qki->qi", probs, self.predictor.known[cand])
            occs = self.corpus.occupations
            linked = [[(occs[o].code, float(p)) for o, p in zip(c[:10], pr[:10])] for c, pr in zip(cand, probs)]
        if "lexical" in channels:
            parts["lexical"] = self.lexical_index.score_all(queries)
        if "dense" in channels:
            q = np.stack([vectors[t] for t in queries]) if queries else self.encoder.encode(queries)
            dense = np.full((len(queries), n_items), -1.0, dtype=np.float32)
            position = self.corpus.item_index
            for row in range(len(queries)):  # one query per search: FAISS sums differently for larger batches
                for item_id, s in self.dense_index.search(q[row: row + 1], k=n_items)[0]:
                    dense[row, position[item_id]] = s
            parts["dense"] = dense
        return ChannelScores(parts, linked, known)

    def fuse(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """One score per item from the channels' scores (see the module docstring)."""
        if "links" in parts:
            out = minmax_rows(parts["links"])
            if "lexical" in parts:
                out = out + self.config.lexical_weight * minmax_rows(parts["lexical"])
            if "dense" in parts:
                out = out + self.config.dense_weight * minmax_rows(parts["dense"])
            return out
        out = np.zeros_like(next(iter(parts.values())))
        for scores in parts.values():
            ranks = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
            out += 1.0 / (self.config.rrf_k + ranks + 1.0)
        return out

    def combine(self, results: Sequence[tuple[np.ndarray, list[list[tuple[str, float]]]]]
                ) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        """The members' ``score`` results as one (one member: its own)."""
        (scores, linked), = results
        return scores, linked

    def rank(self, queries: Sequence[str], k: int = 100, allowed: set[str] | None = None) -> list[RankedItems]:
        """The ``k`` best items per query (only ``allowed`` item ids when given), with the linked occupations."""
        scores, linked = self.score(queries)
        return top_items(scores, linked, self.item_ids, k, allowed)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_match", None)  # derived lookups, rebuilt on the first match after loading
        state["_encoder"] = None  # configuration: set again after loading (see ``encoder``)
        return state
