"""The catalog being served, swapped only for a fully valid one."""

from __future__ import annotations

import threading
from pathlib import Path

from recommender.catalog.catalog import Catalog
from recommender.catalog.loader import load_catalog
from recommender.errors import UserError


class CurrentCatalog:
    """Holds the catalog in service; :meth:`reload` swaps in a new one only when it loads without a problem.

    Readers take :attr:`catalog` once per request and keep that object: a reload replaces the reference,
    never the contents, so a request never sees two catalogs.

    Parameters
    ----------
    catalog : Catalog, optional
        The catalog to serve from the start.

    Examples
    --------
    >>> current = CurrentCatalog.load("catalogs/jiangsu")  # doctest: +SKIP
    >>> current.reload("catalogs/jiangsu-2026-09")  # doctest: +SKIP
    """

    def __init__(self, catalog: Catalog | None = None):
        self._catalog = catalog
        self._lock = threading.Lock()  # one reload at a time

    @classmethod
    def load(cls, directory: str | Path) -> CurrentCatalog:
        """Load ``directory`` (raises :class:`~recommender.catalog.loader.CatalogError` if invalid)."""
        return cls(load_catalog(directory))

    @property
    def catalog(self) -> Catalog:
        """The catalog in service."""
        if self._catalog is None:
            raise UserError("no catalog is loaded yet: load a catalog directory first")
        return self._catalog

    @property
    def loaded(self) -> bool:
        return self._catalog is not None

    @property
    def source(self) -> str:
        """The directory the catalog in service came from ('' when none is loaded)."""
        return self._catalog.source if self._catalog is not None else ""

    def reload(self, directory: str | Path | None = None) -> Catalog:
        """Load ``directory`` (default: the current catalog's own directory) and serve it if it is valid.

        Returns
        -------
        Catalog
            The catalog now in service.

        Raises
        ------
        CatalogError
            The directory has problems; the previous catalog keeps serving, untouched.
        """
        with self._lock:
            if directory is None:
                if not self.source:
                    raise UserError("reload needs a directory: no catalog has been loaded from one yet")
                directory = self.source
            fresh = load_catalog(directory)
            self._catalog = fresh
            return fresh
