"""Tokens, keyed hashes and masks: how secrets and personal identifiers are kept out of the database in clear.

- API tokens are random strings shown once; the database stores ``sha256(pepper + token)``.
- National ID numbers and phone numbers are stored as an HMAC-SHA256 under a key derived from the service
  secret (so equal numbers can be matched, never read back) plus a masked form for display.
- Free-text profile fields are scrubbed of anything that looks like either before they are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "rk_"
ROLES = ("worker", "enterprise", "college", "union_admin")

_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_NATIONAL_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A sub-key of the service secret for one purpose (``"token-pepper"``, ``"pii-hmac"``)."""
    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()


def new_token() -> str:
    """A fresh bearer token: ``rk_`` and 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, pepper: bytes) -> str:
    """The stored form of a token: hex ``sha256(pepper + token)``."""
    return hashlib.sha256(pepper + token.encode("utf-8")).hexdigest()


def keyed_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 of a normalised personal identifier (spaces, dashes and case ignored)."""
    normalised = re.sub(r"[\s-]", "", value).upper()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def normalise_phone(value: str) -> str:
    """An 11-digit mainland mobile number from ``+86 138-1234-5678`` and the like.

    Raises
    ------
    ValueError
        When the value is not a mainland mobile number.
    """
    digits = re.sub(r"[\s-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ValueError("phone must be an 11-digit mainland mobile number such as 13812345678")
    return digits


def normalise_national_id(value: str) -> str:
    """An 18-character resident ID number with a valid ISO 7064 check character.

    Raises
    ------
    ValueError
        When the value has the wrong shape or its check character does not match.
    """
    number = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValueError("national_id must be 18 characters: 17 digits and a digit or X")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], weights)) % 11]
    if number[17] != check:
        raise ValueError("national_id check character does not match; check the number for a typo")
    return number


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return f"{phone[:3]}****{phone[-4:]}"


def mask_national_id(number: str) -> str:
    """``320102199001011234`` → ``3201**********1234``."""
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def scrub_free_text(text: str) -> str:
    """Mask phone and ID numbers a person typed into a free-text field (job title, duties)."""
    text = _NATIONAL_ID.sub(lambda m: mask_national_id(m.group(0).upper()), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(1) + m.group(2) + m.group(3)), text)
