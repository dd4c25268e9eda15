"""Job titles → 大典 occupations, through the matching engine's occupation linker.

:class:`RosterLinker` wraps :class:`recommender.matching.linker.OccupationLinker` (built over the catalog's
occupations, trained on knowledge only) behind the one call the enterprise module needs: ``link(texts, k)`` →
the ``k`` most probable occupations of each text with their probabilities. Texts are deduplicated before
linking (a roster of 5,000 holds a few hundred distinct jobs). Anything with that ``link`` method can stand in
(``OccupationLinks``), e.g. a linker trained elsewhere; a fitted ``Matcher`` is accepted too (its ``linker``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from recommender.catalog.catalog import Catalog

Links = list[tuple[str, float]]  # (occupation code, probability), most probable first


@runtime_checkable
class OccupationLinks(Protocol):
    def fit(self) -> RosterLinker:
        """Build and train the linker now (it is otherwise built on first use)."""
        _ = self.linker
        return self

    def link(self, texts: Sequence[str], k: int = 5) -> list[Links]:
        """The ``k`` most probable occupations of each text."""
        ...


class RosterLinker:
    """Links job texts to the occupations of a catalog.

    Parameters
    ----------
    catalog : Catalog
    encoder : Encoder, optional
        Turns on the linker's dense features (e.g. ``get_encoder("use")``); lexical features only when None.
    linker : OccupationLinker or Matcher, optional
        An already fitted linker (or a fitted matcher, whose linker is used) over the same catalog.
    show_progress : bool

    Examples
    --------
    >>> linker = RosterLinker(catalog)                    # doctest: +SKIP
    >>> linker.link(["叉车司机"], k=1)                     # doctest: +SKIP
    [[('6-30-05-01', 0.97)]]
    """

    def __init__(self, catalog: Catalog, *, encoder=None, linker=None, show_progress: bool = False):
        self.catalog = catalog
        self.encoder = encoder
        self.show_progress = show_progress
        self._linker = getattr(linker, "linker", None) or linker

    @property
    def linker(self):
        """The fitted matching-engine linker (built and trained on first use)."""
        if self._linker is None:
            from recommender.matching.corpus import MatchingCorpus
            from recommender.matching.linker import LinkerConfig, OccupationLinker

            corpus = MatchingCorpus.from_catalog(self.catalog)
            config = LinkerConfig(use_dense=self.encoder is not None)
            self._linker = OccupationLinker(corpus, self.encoder, config, self.show_progress).fit()
        return self._linker

    def fit(self) -> RosterLinker:
        """Build and train the linker now (it is otherwise built on first use)."""
        _ = self.linker
        return self

    def link(self, texts: Sequence[str], k: int = 5) -> list[Links]:
        distinct = list(dict.fromkeys(texts))
        if not distinct:
            return []
        linker = self.linker
        cand, probs = linker.link(distinct)
        occupations = linker.corpus.occupations
        by_text = {
            text: [(occupations[int(o)].code, float(p)) for o, p in zip(cand[i][:k], probs[i][:k])]
            for i, text in enumerate(distinct)
        }
        return [by_text[t] for t in texts]


_CACHE: list[tuple[Catalog, object, RosterLinker]] = []


def linker_for(catalog: Catalog, encoder=None, *, show_progress: bool = False) -> RosterLinker:
    """The :class:`RosterLinker` of ``catalog`` (and ``encoder``), fitted once per process and reused."""
    for cached_catalog, cached_encoder, linker in _CACHE:
        if cached_catalog is catalog and cached_encoder is encoder:
            return linker
    linker = RosterLinker(catalog, encoder=encoder, show_progress=show_progress)
    _CACHE[:] = [*_CACHE[-3:], (catalog, encoder, linker)]
    return linker
