"""Keys and primitives: IIN encryption at rest (AES-GCM), blind index and secret hashes (HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"


class Keyring:
    """Keys derived from DATA_KEY (encryption, blind index) and SECRET_KEY (access codes, tokens)."""

    def __init__(self, data_key: str, secret_key: str) -> None:
        root = data_key.encode()
        self.encryption_key = hashlib.sha256(b"iin-encryption:" + root).digest()
        self.index_key = hashlib.sha256(b"iin-blind-index:" + root).digest()
        self.secret_hash_key = hashlib.sha256(b"secret-hash:" + secret_key.encode()).digest()

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + AESGCM(self.encryption_key).encrypt(nonce, plaintext.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        nonce, body = blob[1:13], blob[13:]
        return AESGCM(self.encryption_key).decrypt(nonce, body, None).decode()

    def blind_index(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode(), hashlib.sha256).hexdigest()

    def hash_secret(self, value: str) -> str:
        return hmac.new(self.secret_hash_key, value.encode(), hashlib.sha256).hexdigest()

    def secret_matches(self, value: str, expected_hash: str) -> bool:
        return hmac.compare_digest(self.hash_secret(value), expected_hash)


_keyring: Keyring | None = None


def install(keyring: Keyring) -> None:
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise RuntimeError("keys are not configured: create the app first")
    return _keyring


def new_access_code() -> str:
    """A random 100-bit code, shown once to the subject, as five groups of four characters."""
    raw = base64.b32encode(secrets.token_bytes(13)).decode().rstrip("=")[:20]
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def normalise_access_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_token() -> str:
    return secrets.token_urlsafe(32)
