"""The catalog the service answers from: loaded at start, imported as new versions, reindexed in the
background.

Imported catalogs are kept as versions under ``<data_dir>/catalogs/versions/<version>/`` and the file
``<data_dir>/catalogs/CURRENT`` names the one in service. A version is written and validated completely before
``CURRENT`` is replaced (write to a temporary file, fsync, rename), so after a crash at any point the service
restarts on the last catalog whose import was acknowledged. A reindex loads the catalog again in a background
thread (through :class:`recommender.catalog.current.CurrentCatalog`, which only ever holds a fully valid
catalog), builds what answers from it (the ``engine_factory``: matcher indexes, recommender), and only then
swaps one reference: requests in flight keep the :class:`Serving` snapshot they took, old or new, never a mix.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recommender.catalog.catalog import Catalog
from recommender.catalog.current import CurrentCatalog
from recommender.catalog.loader import CatalogError, Problem, load_catalog, write_catalog
from recommender.errors import UserError
from recommender.failpoints import pause

log = logging.getLogger("api.catalog")

VERSION = re.compile(
    r"\d{8}T\d{12}-[0-9a-f]{6}"
)  # version folder names (others, e.g. index/, are left alone)
KEEP_VERSIONS = 3  # older imported versions kept on disk besides the one in service and the newest


@dataclass
class ReindexJob:
    """What the latest reindex did (``state``: idle, running, succeeded, failed)."""

    state: str = "idle"
    version: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Serving:
    """What answers requests: a catalog, the engine built from it, and where they came from."""

    current: CurrentCatalog
    engine: Any
    version: str
    loaded_at: datetime

    @property
    def catalog(self) -> Catalog:
        return self.current.catalog


class CatalogBusyError(UserError):
    """A reindex or import is already running."""


class CatalogService:
    """Owns the catalog in service and the versions on disk.

    Parameters
    ----------
    store_dir
        ``<data_dir>/catalogs``: imported versions and the ``CURRENT`` pointer.
    initial_dir
        The catalog directory to serve when no version was imported yet (``CATALOG_DIR``).
    engine_factory
        Builds what answers from a catalog (e.g. a recommender with its indexes); run in the background before
        the swap. ``None``: serve the catalog alone.
    on_change
        Called with the new :class:`Serving` after every swap (metrics).
    on_job
        Called with the :class:`ReindexJob` when a reindex starts and when it ends (metrics).
    """

    def __init__(
        self,
        store_dir: Path,
        initial_dir: Path | None = None,
        *,
        engine_factory: Callable[[Catalog], Any] | None = None,
        on_change: Callable[[Serving], None] | None = None,
        on_job: Callable[[ReindexJob], None] | None = None,
    ):
        self.store_dir = Path(store_dir)
        self.initial_dir = Path(initial_dir) if initial_dir else None
        self.serving: Serving | None = None  # replaced whole, never changed in place
        self.job = ReindexJob()
        self._engine_factory = engine_factory
        self._on_job = on_job
        self._job_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._on_change = on_change

    # ------------------------------------------------------------------------------------------- paths
    @property
    def versions_dir(self) -> Path:
        return self.store_dir / "versions"

    @property
    def pointer(self) -> Path:
        return self.store_dir / "CURRENT"

    def _version_dir(self, version: str) -> Path:
        return self.versions_dir / version

    def stored_version(self) -> str:
        """The version ``CURRENT`` names ('' when nothing was imported)."""
        try:
            return self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return ""

    # ----------------------------------------------------------------------------------------- loading
    @property
    def catalog(self) -> Catalog | None:
        """The catalog in service, or ``None``. Take it once per request and keep using that object."""
        serving = self.serving
        return serving.catalog if serving is not None else None

    @property
    def version(self) -> str:
        """The version in service: an imported version id, ``catalog_dir``, or '' when none."""
        serving = self.serving
        return serving.version if serving is not None else ""

    def start(self) -> None:
        """Load the catalog to serve: the imported version ``CURRENT`` names, else ``initial_dir``.

        The catalog serves as soon as it is loaded; its engine (when there is an ``engine_factory``) is built
        in
        the background, as a reindex job. A catalog that fails to load is logged and skipped; the service then
        runs without one (``/ready`` says so) until a catalog is imported.
        """
        stored = self.stored_version()
        candidates: list[tuple[str, Path]] = []
        if stored:
            candidates.append((stored, self._version_dir(stored)))
        if self.initial_dir is not None:
            candidates.append(("catalog_dir", self.initial_dir))
        for version, directory in candidates:
            try:
                staged = CurrentCatalog.load(directory)
            except UserError as exc:
                log.error(
                    "catalog not loaded",
                    extra={"version": version, "directory": str(directory), "error": str(exc)},
                )
                continue
            self._publish(staged, None, version)
            log.info("catalog loaded", extra={"version": version, "directory": str(directory)})
            if self._engine_factory is not None and self._job_lock.acquire(blocking=False):
                self._start_job(version, directory, staged)  # the engine is built in the background
            return
        if not candidates:
            log.warning("no catalog configured: set CATALOG_DIR or import one with POST /catalog/import")

    @property
    def builds_engine(self) -> bool:
        return self._engine_factory is not None

    @property
    def engine_ready(self) -> bool:
        """True when the serving snapshot has its engine (always True without an engine factory)."""
        serving = self.serving
        return self._engine_factory is None or (serving is not None and serving.engine is not None)

    def _publish(self, staged: CurrentCatalog, engine: Any, version: str) -> Serving:
        self.serving = Serving(staged, engine, version, datetime.now(UTC))
        if self._on_change is not None:
            self._on_change(self.serving)
        return self.serving

    # ------------------------------------------------------------------------------------------ import
    def import_catalog(
        self, *, tables: Mapping[str, Any] | None = None, directory: str | Path | None = None
    ) -> str:
        """Validate and store a new catalog version, make it the one to serve, and reindex in the background.

        Parameters
        ----------
        tables
            ``{"majors": DataFrame or rows, ...}`` as :func:`recommender.catalog.loader.write_catalog` takes.
        directory
            A catalog directory on the server to copy (validated first).

        Returns
        -------
        str
            The new version id. When this returns, the version is durable: a restart serves it.

        Raises
        ------
        CatalogError
            The catalog has problems; nothing was stored and the catalog in service is unchanged.
        CatalogBusyError
            A reindex is running; try again when it is finished.
        """
        if (tables is None) == (directory is None):
            raise UserError("import needs exactly one of tables and directory")
        if not self._job_lock.acquire(blocking=False):
            raise CatalogBusyError(
                "a catalog reindex is running; retry when GET /catalog/status says it is done"
            )
        try:
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"  # sorts by time
            target = self._version_dir(version)
            source = load_catalog(directory) if directory is not None else tables
            try:
                write_catalog(source, target, validate=True)
            except ValueError as exc:  # unknown table or column: a problem with the request, not a file
                raise CatalogError("import", [_problem("request", str(exc))]) from None
            _fsync_dir(self.versions_dir)
            self._write_pointer(version)
            self._prune(keep=version)
        except BaseException:
            self._job_lock.release()
            raise
        self._start_job(version, self._version_dir(version))  # releases the lock when done
        return version

    def _write_pointer(self, version: str) -> None:
        tmp = self.pointer.with_name(f".CURRENT.{uuid.uuid4().hex[:8]}")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(version + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.store_dir)

    def _prune(self, keep: str) -> None:
        versions = sorted(
            p.name for p in self.versions_dir.iterdir() if p.is_dir() and VERSION.fullmatch(p.name)
        )
        old = [v for v in versions if v not in (keep, self.version)][: -KEEP_VERSIONS or None]
        for v in old:
            shutil.rmtree(self._version_dir(v), ignore_errors=True)

    # ----------------------------------------------------------------------------------------- reindex
    def reindex(self) -> str:
        """Reload the catalog in service (its directory as it is on disk now) in the background.

        Returns
        -------
        str
            The version being reindexed.

        Raises
        ------
        CatalogBusyError
            A reindex is already running.
        UserError
            There is no catalog directory to reindex.
        """
        stored = self.stored_version()
        if stored:
            version, directory = stored, self._version_dir(stored)
        elif self.initial_dir is not None:
            version, directory = "catalog_dir", self.initial_dir
        else:
            raise UserError("no catalog to reindex: set CATALOG_DIR or import one with POST /catalog/import")
        if not self._job_lock.acquire(blocking=False):
            raise CatalogBusyError(
                "a catalog reindex is already running; GET /catalog/status shows its progress"
            )
        self._start_job(version, directory)
        return version

    def _start_job(self, version: str, directory: Path, staged: CurrentCatalog | None = None) -> None:
        self.job = ReindexJob(state="running", version=version, started_at=datetime.now(UTC))
        if self._on_job is not None:
            self._on_job(self.job)
        self._thread = threading.Thread(
            target=self._run_job,
            args=(self.job, version, directory, staged),
            name=f"reindex-{version}",
            daemon=True,
        )
        self._thread.start()

    def _run_job(self, job: ReindexJob, version: str, directory: Path, staged: CurrentCatalog | None) -> None:
        """Load (unless ``staged`` is already serving), build the engine, then swap both in at once.

        When anything fails, what was serving keeps serving: the old catalog and engine, or at start the
        catalog
        alone (``staged``), without an engine.
        """
        try:
            staged = staged or CurrentCatalog.load(directory)  # CatalogError when invalid: nothing changes
            engine = self._engine_factory(staged.catalog) if self._engine_factory is not None else None
            pause("reindex-before-publish")  # crash tests only (recommender.failpoints)
            self._publish(staged, engine, version)
            job.state = "succeeded"
            log.info("catalog reindexed", extra={"version": version})
        except CatalogError as exc:
            job.state, job.error = "failed", f"catalog {version} has {len(exc.problems)} problems"
            job.problems = [p.to_dict() for p in exc.problems]
            log.error("catalog reindex failed", extra={"version": version, "error": job.error})
        except Exception as exc:
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("catalog reindex failed", extra={"version": version})
        finally:
            job.finished_at = datetime.now(UTC)
            self._job_lock.release()
            if self._on_job is not None:
                self._on_job(job)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running reindex; True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


def _problem(file: str, reason: str) -> Problem:
    return Problem(file, None, None, reason)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
