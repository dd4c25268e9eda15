"""Pydantic request and response models of every route (they make the OpenAPI document)."""
