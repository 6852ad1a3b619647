"""Authenticated encryption for what the Forum stores: documents at rest and backups.

AES-256-GCM from the ``cryptography`` library. Keys come from the environment (see
``dief.settings``), each with an id; every ciphertext names the id of the key that made it, so
keys can rotate (``manage.py rotate_document_key``) while older files stay readable.

Two formats:

- a *blob* (a stored document): ``DIEF1`` magic, key id, 12-byte nonce, ciphertext and tag;
  the header is authenticated as associated data.
- a *stream* (a backup archive, any size): ``DIEFS1`` magic, key id, an 8-byte random prefix,
  then chunks of at most 1 MiB, each sealed with a nonce made of the prefix and the chunk's
  number and with the "last chunk" flag in its associated data, so chunks cannot be dropped,
  reordered or truncated without the decryption failing.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import Mapping
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BLOB_MAGIC = b"DIEF1"
STREAM_MAGIC = b"DIEFS1"
CHUNK = 1024 * 1024


class DecryptionError(Exception):
    """The data was not made with any key we hold, or it was altered."""


def parse_keys(spec: str) -> dict[str, bytes]:
    """Read ``"id1:base64key,id2:base64key"`` into an ordered ``{id: 32-byte key}``.

    The first key is the current one (used to encrypt); the others only decrypt.
    Raises ``ValueError`` on a malformed entry or a key that is not 32 bytes.
    """
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key_id, sep, encoded = part.partition(":")
        if not sep or not key_id or len(key_id.encode()) > 255:
            raise ValueError(f"malformed key entry {key_id!r}: expected id:base64key")
        key = base64.b64decode(encoded, validate=True)
        if len(key) != 32:
            raise ValueError(f"key {key_id!r} must be 32 bytes (AES-256), got {len(key)}")
        keys[key_id] = key
    return keys


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key derived from a secret (the laptop default: from ``SECRET_KEY``)."""
    return hashlib.sha256(f"dief:{purpose}:{secret}".encode()).digest()


def new_key() -> str:
    """A fresh random key, base64, for the environment."""
    return base64.b64encode(os.urandom(32)).decode()


def _header(magic: bytes, key_id: str) -> bytes:
    raw = key_id.encode()
    return magic + bytes([len(raw)]) + raw


def _read_header(data: bytes, magic: bytes) -> tuple[str, int]:
    if not data.startswith(magic) or len(data) < len(magic) + 1:
        raise DecryptionError("not an encrypted dief object")
    n = data[len(magic)]
    end = len(magic) + 1 + n
    if len(data) < end:
        raise DecryptionError("truncated header")
    return data[len(magic) + 1 : end].decode(), end


def key_id_of(data: bytes) -> str:
    """The id of the key a blob was encrypted with (raises ``DecryptionError``)."""
    return _read_header(data, BLOB_MAGIC)[0]


def encrypt_blob(plaintext: bytes, key_id: str, key: bytes) -> bytes:
    """Seal ``plaintext`` with ``key`` (named ``key_id``); returns the blob."""
    header = _header(BLOB_MAGIC, key_id)
    nonce = os.urandom(12)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header)


def decrypt_blob(blob: bytes, keys: Mapping[str, bytes]) -> bytes:
    """Open a blob with whichever of ``keys`` made it. Raises ``DecryptionError``."""
    key_id, end = _read_header(blob, BLOB_MAGIC)
    if key_id not in keys:
        raise DecryptionError(f"no key {key_id!r} configured")
    nonce, sealed = blob[end : end + 12], blob[end + 12 :]
    try:
        return AESGCM(keys[key_id]).decrypt(nonce, sealed, blob[:end])
    except InvalidTag as exc:
        raise DecryptionError("the data was altered or the key is wrong") from exc


def _chunk_aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, key_id: str, key: bytes) -> None:
    """Encrypt everything read from ``src`` into ``dst`` in 1 MiB sealed chunks."""
    header = _header(STREAM_MAGIC, key_id)
    prefix = os.urandom(8)
    dst.write(header + prefix)
    aead = AESGCM(key)
    index = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        sealed = aead.encrypt(prefix + struct.pack(">I", index), chunk, _chunk_aad(header, index, last))
        dst.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(src: BinaryIO, dst: BinaryIO, keys: Mapping[str, bytes]) -> None:
    """Reverse of ``encrypt_stream``. Raises ``DecryptionError`` on a wrong key, an altered,
    reordered or truncated stream."""
    start = src.read(len(STREAM_MAGIC) + 1)
    if len(start) < len(STREAM_MAGIC) + 1:
        raise DecryptionError("not an encrypted dief stream")
    key_id_raw = src.read(start[-1])
    header = start + key_id_raw
    key_id, _end = _read_header(header, STREAM_MAGIC)
    if key_id not in keys:
        raise DecryptionError(f"no key {key_id!r} configured")
    prefix = src.read(8)
    aead = AESGCM(keys[key_id])
    index = 0
    while True:
        size_raw = src.read(4)
        if len(size_raw) != 4:
            raise DecryptionError("the stream is truncated")
        sealed = src.read(struct.unpack(">I", size_raw)[0])
        nonce = prefix + struct.pack(">I", index)
        for last in (False, True):
            try:
                dst.write(aead.decrypt(nonce, sealed, _chunk_aad(header, index, last)))
                break
            except InvalidTag:
                continue
        else:
            raise DecryptionError("the data was altered or the key is wrong")
        if last:
            if src.read(1):
                raise DecryptionError("data after the last chunk")
            return
        index += 1
