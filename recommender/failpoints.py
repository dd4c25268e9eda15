"""Fault injection for crash tests: named points in long operations where a test can make the process wait.

A crash test must kill the service *while* a reindex runs; on a fast machine the reindex of a test catalog can
finish before the test's next request. ``RECOMMENDER_FAILPOINTS="reindex-before-publish=5"`` makes the process
pause 5 seconds at that point, so "running" is a state the test can observe. Unset (always, in production),
``pause`` does nothing.
"""

from __future__ import annotations

import os
import time

ENV = "RECOMMENDER_FAILPOINTS"


def _parse(spec: str) -> dict[str, float]:
    points: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, seconds = part.partition("=")
        try:
            points[name.strip()] = float(seconds) if sep else 0.0
        except ValueError:
            raise ValueError(f"{ENV}: {part!r} is not NAME=SECONDS") from None
    return points


def pause(name: str) -> None:
    """Sleep for the seconds ``RECOMMENDER_FAILPOINTS`` gives the point ``name``; nothing when it is not set."""
    spec = os.environ.get(ENV)
    if spec:
        seconds = _parse(spec).get(name, 0.0)
        if seconds > 0:
            time.sleep(seconds)
