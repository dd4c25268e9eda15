"""Writing directories so that a crash never leaves a half-written one in place."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def swap_directory(staging: Path, target: Path) -> None:
    """Put the fully written ``staging`` directory at ``target``, replacing what was there.

    Two renames on the same filesystem: the old directory is moved aside, the new one moved in, and the old one
    removed. A failure between the renames puts the old directory back, so readers see either the old or the new
    directory whole.
    """
    if not target.exists():
        os.rename(staging, target)
        return
    retired = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)
