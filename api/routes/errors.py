"""The error responses routes declare, so the OpenAPI document shows every answer a client can get."""

from __future__ import annotations

from typing import Any

from api.schemas.common import ErrorResponse


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given status codes, each with the :class:`ErrorResponse` body."""
    text = {
        400: "Bad request",
        401: "No token, or an unknown or revoked one",
        403: "This role may not use this route",
        404: "Not found (or not yours)",
        409: "Conflict with the current state",
        422: "The request is invalid; `errors` says where and why",
        503: "Not ready",
    }
    return {code: {"model": ErrorResponse, "description": text[code]} for code in codes}
