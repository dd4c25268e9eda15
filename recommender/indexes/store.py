"""Versioned index directories with an atomic switch.

Layout under the store's root (e.g. ``<catalog>/.index``)::

    current -> v-20250101T120000123456Z-3f9c2a1b   symlink naming the version being served
    v-20250101T120000123456Z-3f9c2a1b/             a complete build (manifest.json written last)
    .building-<random>/                        a build in progress (or one that crashed)

A build writes into a fresh ``.building-*`` directory, then renames it to a ``v-*`` directory and replaces the
``current`` symlink with ``os.replace`` (atomic on POSIX). A crash or an exception at any point before that
leaves ``current`` on the old version, which keeps serving; the debris is removed by the next build. Where
symlinks are not available, a ``CURRENT`` pointer file is replaced atomically instead.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
MANIFEST = "manifest.json"


class IndexStore:
    """Publish and read versioned index builds under ``root``.

    Examples
    --------
    >>> import tempfile
    >>> store = IndexStore(tempfile.mkdtemp())
    >>> _ = store.publish(lambda d: (d / "data.txt").write_text("v1"))
    >>> store.read(lambda d: (d / "data.txt").read_text())
    'v1'
    """

    def __init__(self, root: str | Path, keep: int = 2):
        self.root = Path(root)
        self.keep = max(1, int(keep))

    @property
    def link(self) -> Path:
        return self.root / "current"

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        """The directory being served, or None before the first successful build."""
        if self.link.is_symlink():
            target = self.root / os.readlink(self.link)
            return target if (target / MANIFEST).is_file() else None
        if self.pointer.is_file():
            target = self.root / self.pointer.read_text(encoding="utf-8").strip()
            return target if (target / MANIFEST).is_file() else None
        return None

    def publish(self, write: Callable[[Path], object], *, metadata: dict | None = None) -> Path:
        """Run ``write(directory)`` into a fresh directory and switch ``current`` to it when it returns.

        If ``write`` raises, the partial directory is removed and ``current`` is untouched.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_debris()
        building = self.root / f".building-{uuid.uuid4().hex[:12]}"
        building.mkdir()
        try:
            write(building)
            manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "files": sorted(str(p.relative_to(building)) for p in building.rglob("*") if p.is_file()),
                        **(metadata or {})}
            (building / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            _fsync_tree(building)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")  # sorts in build order
            final = self.root / f"v-{stamp}-{uuid.uuid4().hex[:8]}"
            os.rename(building, final)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        self._switch(final)
        self._prune()
        return final

    def read(self, load: Callable[[Path], T]) -> T:
        """``load(current directory)``; raises FileNotFoundError when nothing was published yet."""
        current = self.current()
        if current is None:
            raise FileNotFoundError(f"no index has been built under {self.root} yet")
        return load(current)

    def versions(self) -> list[Path]:
        return sorted(p for p in self.root.glob("v-*") if p.is_dir())

    # -- internals -----------------------------------------------------------------------------------------
    def _switch(self, final: Path) -> None:
        try:
            tmp_link = self.root / f".current-{uuid.uuid4().hex[:8]}"
            os.symlink(final.name, tmp_link)
            os.replace(tmp_link, self.link)
        except (OSError, NotImplementedError):  # no symlinks: pointer file
            tmp = self.root / f".CURRENT-{uuid.uuid4().hex[:8]}"
            tmp.write_text(final.name, encoding="utf-8")
            os.replace(tmp, self.pointer)
        _fsync_dir(self.root)

    def _remove_debris(self) -> None:
        for p in self.root.glob(".building-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current-*"):
            p.unlink(missing_ok=True)

    def _prune(self) -> None:
        current = self.current()
        old = [v for v in self.versions() if v != current]
        for v in old[: max(0, len(old) - (self.keep - 1))]:
            shutil.rmtree(v, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for p in path.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(path)
