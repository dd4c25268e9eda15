"""Token hashing, keyed hashes, masks and scrubbing of personal identifiers."""

from __future__ import annotations

import pytest

from api.core.config import Settings
from api.core.security import (
    derive_key,
    hash_token,
    keyed_hash,
    mask_national_id,
    mask_phone,
    new_token,
    normalise_national_id,
    normalise_phone,
    scrub_free_text,
)


def test_tokens_are_random_and_their_hash_depends_on_the_pepper():
    a, b = new_token(), new_token()
    assert a != b and a.startswith("rk_") and len(a) > 40
    assert hash_token(a, b"p1") != hash_token(a, b"p2")
    assert hash_token(a, b"p1") == hash_token(a, b"p1") and a not in hash_token(a, b"p1")


def test_keyed_hash_ignores_formatting_and_depends_on_the_key():
    key = derive_key(b"secret", "pii-hmac")
    assert keyed_hash("138 1234-5678", key) == keyed_hash("13812345678", key)
    assert keyed_hash("13812345678", key) != keyed_hash("13812345678", derive_key(b"other", "pii-hmac"))
    assert derive_key(b"secret", "pii-hmac") != derive_key(b"secret", "token-pepper")


@pytest.mark.parametrize("given", ["13812345678", "+86 138 1234 5678", "86-138-1234-5678"])
def test_phone_numbers_normalise(given):
    assert normalise_phone(given) == "13812345678"


@pytest.mark.parametrize("given", ["1381234567", "23812345678", "abc"])
def test_bad_phone_numbers_are_refused(given):
    with pytest.raises(ValueError, match="11-digit"):
        normalise_phone(given)


def test_national_id_checksum():
    assert normalise_national_id("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValueError, match="check character"):
        normalise_national_id("110105194912310021")
    with pytest.raises(ValueError, match="18 characters"):
        normalise_national_id("1101051949")


def test_masks_and_free_text_scrubbing():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_national_id("11010519491231002X") == "1101**********002X"
    text = "电话 138-1234-5678，身份证11010519491231002X，工号 20240001"
    scrubbed = scrub_free_text(text)
    assert "138****5678" in scrubbed and "1101**********002X" in scrubbed and "20240001" in scrubbed


def test_secret_key_file_is_created_once_and_reused(tmp_path):
    first = Settings(_env_file=None, data_dir=tmp_path).secret
    again = Settings(_env_file=None, data_dir=tmp_path).secret
    assert first == again and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings(_env_file=None, data_dir=tmp_path, secret_key="given").secret == b"given"


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("K_ANONYMITY", "25")
    monkeypatch.setenv("CATALOG_DIR", str(tmp_path))
    monkeypatch.setenv("LOG_LEVEL", "debug")
    s = Settings(_env_file=None)
    assert s.resolved_database_url == "sqlite:///elsewhere.db" and s.k_anonymity == 25
    assert s.catalog_dir == tmp_path and s.log_level == "DEBUG"
    monkeypatch.setenv("LOG_LEVEL", "loud")
    with pytest.raises(ValueError, match="LOG_LEVEL must be one of"):
        Settings(_env_file=None)
