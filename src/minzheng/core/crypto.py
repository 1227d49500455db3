"""Commercial cryptography (国密) for personal data: SM4 encryption, SM3 hashing, HMAC-SM3.

Keys come from a pluggable key provider named by ``settings.MINZHENG_KEY_PROVIDER`` so that a
hardware security module can replace the environment/file providers without touching callers.
One 32-byte master key yields two independent sub-keys through HKDF-SM3: one for SM4-GCM
encryption and one for the keyed blind indexes.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

CIPHER_PREFIX = "sm4g1:"  # version tag, so the scheme can change without ambiguity
_NONCE_BYTES = 12
_TAG_BYTES = 16


class KeyProvider(Protocol):
    def master_key(self) -> bytes: ...


def _parse_key(raw: str, source: str) -> bytes:
    raw = raw.strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{source} must be 64 hexadecimal characters") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"{source} must be 64 hexadecimal characters (32 bytes), got {len(key)} bytes"
        )
    return key


class EnvironmentKeyProvider:
    """``MINZHENG_DATA_KEY`` (hex), or the file named by ``MINZHENG_DATA_KEY_FILE``."""

    def master_key(self) -> bytes:
        if path := os.environ.get("MINZHENG_DATA_KEY_FILE"):
            p = Path(path)
            if not p.is_file():
                raise ImproperlyConfigured(f"MINZHENG_DATA_KEY_FILE {path} does not exist")
            return _parse_key(p.read_text(), f"MINZHENG_DATA_KEY_FILE {path}")
        raw = os.environ.get("MINZHENG_DATA_KEY")
        if not raw:
            raise ImproperlyConfigured(
                "MINZHENG_DATA_KEY (or MINZHENG_DATA_KEY_FILE) is not set: personal data "
                "cannot be encrypted"
            )
        return _parse_key(raw, "MINZHENG_DATA_KEY")


@lru_cache(maxsize=1)
def _keys() -> tuple[bytes, bytes]:
    provider: KeyProvider = import_string(settings.MINZHENG_KEY_PROVIDER)()
    master = provider.master_key()

    def derive(info: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=info).derive(master)

    return derive(b"minzheng sm4 data key", 16), derive(b"minzheng blind index key", 32)


def reset_key_cache() -> None:
    _keys.cache_clear()


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed HMAC-SM3 of a normalised value: equal inputs give equal indexes, nothing else."""
    h = hmac.HMAC(_keys()[1], hashes.SM3())
    h.update(purpose.encode() + b"\x00" + value.encode())
    return h.finalize().hex()


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    enc = Cipher(algorithms.SM4(_keys()[0]), modes.GCM(nonce)).encryptor()
    body = enc.update(plaintext.encode()) + enc.finalize()
    return CIPHER_PREFIX + base64.b64encode(nonce + body + enc.tag).decode()


class DecryptionError(Exception):
    pass


def decrypt(token: str) -> str:
    if not token.startswith(CIPHER_PREFIX):
        raise DecryptionError("not a Minzheng ciphertext")
    blob = base64.b64decode(token[len(CIPHER_PREFIX) :])
    nonce, body, tag = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:-_TAG_BYTES], blob[-_TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_keys()[0]), modes.GCM(nonce, tag)).decryptor()
    try:
        return (dec.update(body) + dec.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or the key is wrong") from exc
