"""The per-site key that encrypts visitor descriptors at rest (AES-256-GCM, ``cryptography``).

The key is 32 random bytes, base64 in a file of its own (mode 0600) on the box that analyses:
``storepixel visitors keygen --site site.yaml`` makes it once, where ``faces.key_file`` says
(default ``<site id>.visitors.key`` beside the site file). It is never stored in the database,
never logged, never sent. Each descriptor is sealed with a fresh 96-bit nonce and the site and
visitor id as associated data, so a row copied to another visitor or site does not open. Losing
the key makes the stored descriptors unreadable: that is the same as deleting them.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "k"
>>> key = create_key(path)
>>> box = seal(key, b"descriptor", "demo", "v1")
>>> box[:2], open_box(key, box, "demo", "v1")
(b'G1', b'descriptor')
>>> open_box(key, box, "demo", "v2")  # doctest: +ELLIPSIS
Traceback (most recent call last):
storepixel.errors.ConfigError: the visitor key does not open the descriptor of 'v2' (...)
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from storepixel.errors import ConfigError

VERSION = b"G1"  # AES-256-GCM, 12-byte nonce, ciphertext with its 16-byte tag
KEY_BYTES = 32


def _aead(key: bytes):  # type: ignore[no-untyped-def]
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise ConfigError(
            "faces.visitors needs the visitors extra: pip install 'storepixel[visitors]'"
        ) from None
    return AESGCM(key)


def create_key(path: Path) -> bytes:
    """Write a new random key to ``path`` (mode 0600); refuses to replace one."""
    key = os.urandom(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists: a new key would make the stored descriptors unreadable"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(base64.b64encode(key).decode("ascii") + "\n")
    return key


def load_key(path: Path) -> bytes:
    """The key in ``path``; a one-line ``ConfigError`` if it is missing or malformed."""
    if not path.is_file():
        raise ConfigError(
            f"faces.visitors is on but the site key {path} does not exist: "
            "create it with `storepixel visitors keygen --site SITE.yaml`"
        )
    try:
        key = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{path} is not a storepixel visitor key (32 bytes, base64)")
    return key


def key_id(key: bytes) -> str:
    """A short fingerprint stored beside each descriptor (tells which key sealed it)."""
    return hashlib.sha256(b"storepixel-visitors" + key).hexdigest()[:16]


def seal(key: bytes, data: bytes, site_id: str, visitor_id: str) -> bytes:
    nonce = os.urandom(12)
    return VERSION + nonce + _aead(key).encrypt(nonce, data, f"{site_id}/{visitor_id}".encode())


def open_box(key: bytes, box: bytes, site_id: str, visitor_id: str) -> bytes:
    from cryptography.exceptions import InvalidTag

    if box[:2] != VERSION:
        raise ConfigError(f"the descriptor of {visitor_id!r} is not sealed by this storepixel")
    try:
        return bytes(_aead(key).decrypt(box[2:14], box[14:], f"{site_id}/{visitor_id}".encode()))
    except InvalidTag:
        raise ConfigError(
            f"the visitor key does not open the descriptor of {visitor_id!r} (a different key?)"
        ) from None


def site_key(faces: Any, site_id: str, site_file: Path | None) -> bytes:
    """The key of a site whose ``faces.visitors`` is on, checked before any frame is analysed
    (missing key or missing extra: a one-line error)."""
    key = load_key(faces.key_path(site_id, site_file))
    _aead(key)
    return key
