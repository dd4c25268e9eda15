"""Recommendations through the library (``recommender.recommend``), logged so feedback can refer to them."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from api.db.models import RecommendationLogRow
from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Worker
from recommender.recommend.build import build_matcher, default_encoder_name, load_or_build_matcher
from recommender.recommend.engine import Recommendations, Recommender

log = logging.getLogger("api.recommendations")


@dataclass(frozen=True)
class RecommendationEngine:
    """A recommender over one catalog, and the encoder its matcher was fitted with."""

    recommender: Recommender
    encoder: str


def build_engine(catalog: Catalog, encoder: str = "") -> RecommendationEngine:
    """Fit (or load from ``index/`` beside the catalog directory) the matcher of ``catalog``; the slow part of
    a
    reindex. Where that folder cannot be written, the matcher is fitted without being saved."""
    encoder = encoder or default_encoder_name()
    try:
        matcher = load_or_build_matcher(catalog, Path(catalog.source), encoder)
    except OSError as exc:
        log.warning("matcher not cached", extra={"error": str(exc), "catalog": catalog.source})
        matcher = build_matcher(catalog, encoder, show_progress=False)
    return RecommendationEngine(Recommender(catalog, matcher), encoder)


def recommend_and_log(
    session: Session,
    engine: RecommendationEngine,
    worker: Worker,
    *,
    catalog_version: str,
    worker_id: str | None,
    query: dict,
    limit: int,
    personalised: bool,
    place_scope: str,
    language: str,
) -> dict:
    """Run :meth:`Recommender.recommend` and store the answer in ``recommendation_logs``. The caller commits.

    Returns
    -------
    dict
        ``Recommendations.to_dict()`` with ``recommendation_id`` and ``model_version``.
    """
    result: Recommendations = engine.recommender.recommend(
        worker, limit=limit, personalised=personalised, place_scope=place_scope, language=language
    )
    body = result.to_dict()
    recommendation_id = f"r-{uuid.uuid4().hex}"
    model_version = f"{catalog_version}:{engine.encoder}"
    session.add(
        RecommendationLogRow(
            recommendation_id=recommendation_id,
            worker_id=worker_id,
            query=query,
            items=[
                {
                    "rank": r["rank"],
                    "program_id": r["program_id"],
                    "major_code": r["major_code"],
                    "score": r["score"],
                }
                for r in body["recommendations"]
            ],
            model_version=model_version,
        )
    )
    session.flush()
    return {"recommendation_id": recommendation_id, "model_version": model_version, **body}
