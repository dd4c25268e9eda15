"""Catalog status, import and reindex."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from api.schemas.common import CatalogProblem, RequestModel, ResponseModel, UtcDateTime
from recommender.catalog.schema import TABLES

TableName = Literal[tuple(t.name for t in TABLES)]  # type: ignore[valid-type]
CellValue = str | int | float | bool | list[str] | None


class CatalogStats(ResponseModel):
    """Counts of :meth:`recommender.catalog.catalog.Catalog.stats`."""

    colleges: int
    partner_colleges: int
    colleges_per_kind: dict[str, int]
    cities: int
    majors: int
    majors_per_level: dict[str, int]
    occupations: int
    detailed_occupations: int
    major_occupation_links: int
    programs: int
    courses: int


class ReindexStatus(ResponseModel):
    state: Literal["idle", "running", "succeeded", "failed"]
    version: str = Field("", description="the catalog version being (or last) reindexed")
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    error: str = ""
    problems: list[CatalogProblem] = Field(default_factory=list)


class CatalogStatus(ResponseModel):
    loaded: bool
    version: str = Field(description="imported version id, 'catalog_dir' for CATALOG_DIR, '' when none")
    stored_version: str = Field(description="the version a restart would serve")
    source: str = Field(description="directory of the catalog in service")
    loaded_at: UtcDateTime | None
    stats: CatalogStats | None
    engine: Literal["off", "building", "ready", "unavailable"] = Field(
        description="recommendation engine of the catalog in service: off (RECOMMENDATIONS=false), building, "
        "ready, unavailable (its build failed: see reindex.error)"
    )
    reindex: ReindexStatus


class CatalogImport(RequestModel):
    """A new catalog: its rows inline (``tables``), or a catalog directory on the server (``directory``).

    ``tables`` maps table names of ``recommender.catalog.schema`` to rows (objects keyed by column name; list
    columns as arrays or ``;``-separated text). Tables left out are written empty. The catalog is validated as
    a
    whole; on any problem nothing changes and the answer lists every problem.
    """

    tables: dict[TableName, list[dict[str, CellValue]]] | None = None
    directory: str | None = Field(
        None, description="path on the server, e.g. a catalog written by the importers"
    )

    @model_validator(mode="after")
    def _one_source(self) -> CatalogImport:
        if (self.tables is None) == (self.directory is None):
            raise ValueError("give exactly one of tables and directory")
        return self


class CatalogImportResult(ResponseModel):
    version: str = Field(description="the new version; durable: a restart serves it")
    reindex: ReindexStatus
