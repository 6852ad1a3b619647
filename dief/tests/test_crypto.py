"""The encryption every stored document and backup goes through."""

import io
import os

import pytest

from dief import crypto

KEY = os.urandom(32)
OTHER = os.urandom(32)


def test_a_blob_opens_with_its_key_and_names_it():
    blob = crypto.encrypt_blob(b"case material", "k1", KEY)
    assert b"case material" not in blob
    assert crypto.key_id_of(blob) == "k1"
    assert crypto.decrypt_blob(blob, {"k0": OTHER, "k1": KEY}) == b"case material"


@pytest.mark.parametrize("keys", [{"k1": OTHER}, {"k2": KEY}])
def test_a_blob_does_not_open_with_a_wrong_or_unknown_key(keys):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_blob(crypto.encrypt_blob(b"x", "k1", KEY), keys)


def test_an_altered_blob_or_header_is_refused():
    blob = bytearray(crypto.encrypt_blob(b"x" * 50, "k1", KEY))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_blob(bytes(blob), {"k1": KEY})
    renamed = crypto.encrypt_blob(b"x", "k1", KEY).replace(b"k1", b"k2", 1)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_blob(renamed, {"k1": KEY, "k2": KEY})


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, int(2.5 * crypto.CHUNK)])
def test_a_stream_of_any_size_round_trips(size):
    data = os.urandom(size)
    sealed = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(data), sealed, "b1", KEY)
    out = io.BytesIO()
    crypto.decrypt_stream(io.BytesIO(sealed.getvalue()), out, {"b1": KEY})
    assert out.getvalue() == data


def _sealed(data):
    buf = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(data), buf, "b1", KEY)
    return buf.getvalue()


def test_a_truncated_stream_is_refused_even_at_a_chunk_boundary():
    sealed = _sealed(os.urandom(2 * crypto.CHUNK + 10))
    first_chunk_end = len(crypto.STREAM_MAGIC) + 1 + 2 + 8 + 4 + crypto.CHUNK + 16
    for cut in (len(sealed) - 1, first_chunk_end, 20):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_stream(io.BytesIO(sealed[:cut]), io.BytesIO(), {"b1": KEY})


def test_a_stream_does_not_open_with_another_key():
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_stream(io.BytesIO(_sealed(b"backup")), io.BytesIO(), {"b1": OTHER})


def test_keys_are_read_from_the_environment_format():
    spec = f"new:{crypto.new_key()},old:{crypto.new_key()}"
    keys = crypto.parse_keys(spec)
    assert list(keys) == ["new", "old"] and all(len(k) == 32 for k in keys.values())
    with pytest.raises(ValueError):
        crypto.parse_keys("short:" + "QUJD")
    with pytest.raises(ValueError):
        crypto.parse_keys("no-separator")
