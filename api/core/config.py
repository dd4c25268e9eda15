"""Service settings, read from the environment (and an optional ``.env`` file) by pydantic-settings.

Every setting has an environment variable of the same name in upper case: ``CATALOG_DIR``, ``DATABASE_URL``,
``K_ANONYMITY``, ``LOG_LEVEL``, ``DATA_DIR``, ``SECRET_KEY``, ``ALLOW_SELF_REGISTRATION``,
``RECOMMENDATIONS``,
``RECOMMENDER_ENCODER``.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Configuration of one service instance.

    Parameters
    ----------
    catalog_dir
        Catalog directory loaded at start when no imported catalog is stored under ``data_dir`` yet
        (``None``: the service starts without a catalog and ``/ready`` answers 503 until one is imported).
    data_dir
        Where the service keeps its files: the SQLite database by default, imported catalogs, the secret key.
    database_url
        SQLAlchemy URL. Empty: ``sqlite:///<data_dir>/recommender.db``. ``postgresql://user@host/db`` uses
        psycopg2; add ``?options=-csearch_path%3Dmyschema`` to work in one schema.
    k_anonymity
        Smallest number of distinct workers behind any figure the aggregated reports show.
    secret_key
        Secret from which the token pepper and the key of the keyed hashes of personal identifiers are
        derived.
        Unset: a random key is created once in ``<data_dir>/secret_key`` (keep that file: tokens and hashes
        depend on it).
    allow_self_registration
        ``POST /workers`` without a token creates a worker and returns its owner token. Off: only union admins
        may create workers.
    recommendations
        Build the recommendation engine (the fitted major matcher) for the catalog in service, in the
        background; the recommendation routes answer 503 until it is ready, and ``/ready`` waits for it.
    recommender_encoder
        Encoder of the matcher (``RECOMMENDER_ENCODER``): '' for the library's default
        (``recommender.recommend.build.default_encoder_name``), ``none`` for links and lexical channels only,
        several names joined by ``+`` for an ensemble of matchers (``recommender.matching.ensemble``).
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    catalog_dir: Path | None = None
    data_dir: Path = Path("var")
    database_url: str = ""
    k_anonymity: int = Field(10, ge=1)
    log_level: str = "INFO"
    secret_key: SecretStr | None = None
    allow_self_registration: bool = True
    recommendations: bool = True
    recommender_encoder: str = ""
    sql_echo: bool = False

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
        return level

    @field_validator("catalog_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if value in ("", None) else value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, with the SQLite file under ``data_dir`` when ``database_url`` is empty."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'recommender.db').as_posix()}"

    @property
    def catalog_store_dir(self) -> Path:
        """Where imported catalog versions live (``<data_dir>/catalogs``)."""
        return self.data_dir / "catalogs"

    @cached_property
    def secret(self) -> bytes:
        """The service secret: ``SECRET_KEY`` or the key file under ``data_dir`` (created on first use)."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode("utf-8")
        return _key_file_secret(self.data_dir / "secret_key")


def _key_file_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic and exclusive: two processes starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip().encode("ascii")
