"""Consistent, encrypted backups of the database and the stored documents, and their restore.

A backup is one file: a tar archive (``manifest.json``, ``database.*`` and ``documents/...``)
sealed with the backup key (``DIEF_BACKUP_KEYS``, AES-256-GCM in 1 MiB chunks, ``dief.crypto``).
The database part is ``pg_dump --format=custom`` on PostgreSQL (one snapshot, so consistent),
or SQLite's online backup API on a laptop. Documents are copied as they are stored, that is
still encrypted with the document keys: restoring needs the backup key *and* the document keys.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection, connections

from dief import clock, crypto
from documents.storage import encrypted_file_fields

FORMAT = 1


class BackupError(Exception):
    """The backup cannot be made or restored (wrong key, altered file, tool missing)."""


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(workdir: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        out = workdir / "database.pgdump"
        args, env = _pg_env(db)
        subprocess.run(
            ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), db["NAME"]],
            check=True,
            env=env,
            capture_output=True,
        )
        return out.name
    if connection.vendor == "sqlite":
        out = workdir / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return out.name
    raise BackupError(f"no backup method for {connection.vendor}")


def _stored_documents():
    """(name, storage) of every stored document the database points at."""
    for model, field in encrypted_file_fields():
        storage = model._meta.get_field(field).storage
        for name in model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator():
            yield name, storage


def make_backup(out_path: str | Path) -> dict:
    """Write an encrypted backup to ``out_path``; returns the manifest (dict).

    Raises ``BackupError`` if the database dump fails or a stored document is missing.
    """
    keys = settings.DIEF_BACKUP_KEYS
    key_id, key = next(iter(keys.items()))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            db_file = _dump_database(workdir)
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            raise BackupError(f"database dump failed: {getattr(exc, 'stderr', b'') or exc}") from exc
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "database": {"vendor": connection.vendor, "file": db_file},
            "documents": {},
        }
        archive_path = workdir / "backup.tar"
        with tarfile.open(archive_path, "w") as tar:
            tar.add(workdir / db_file, arcname=db_file)
            for name, storage in _stored_documents():
                try:
                    blob = storage.read_stored(name)
                except FileNotFoundError as exc:
                    raise BackupError(f"stored document missing: {name}") from exc
                manifest["documents"][name] = hashlib.sha256(blob).hexdigest()
                info = tarfile.TarInfo(f"documents/{name}")
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
            raw = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
        tmp_out = Path(f"{out_path}.partial")
        with open(archive_path, "rb") as src, open(tmp_out, "wb") as dst:
            crypto.encrypt_stream(src, dst, key_id, key)
        os.replace(tmp_out, out_path)
    return manifest


def restore_backup(in_path: str | Path) -> dict:
    """Replace the database and the stored documents with a backup's; returns its manifest.

    Raises ``BackupError`` when no configured backup key opens the file, the file was altered,
    or a document does not match the manifest. Nothing is changed before the whole file has
    been decrypted and checked.
    """
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        archive_path = workdir / "backup.tar"
        try:
            with open(in_path, "rb") as src, open(archive_path, "wb") as dst:
                crypto.decrypt_stream(src, dst, settings.DIEF_BACKUP_KEYS)
        except crypto.DecryptionError as exc:
            raise BackupError(f"cannot open the backup: {exc}") from exc
        with tarfile.open(archive_path, "r") as tar:
            tar.extractall(workdir / "x", filter="data")
        root = workdir / "x"
        manifest = json.loads((root / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError("unknown backup format")
        for name, digest in manifest["documents"].items():
            if hashlib.sha256((root / "documents" / name).read_bytes()).hexdigest() != digest:
                raise BackupError(f"document {name} does not match the manifest")
        _restore_database(root / manifest["database"]["file"], manifest["database"]["vendor"])
        _restore_documents(root / "documents", manifest["documents"])
    return manifest


def _restore_database(path: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"the backup holds a {vendor} database, this system runs {connection.vendor}")
    db = connection.settings_dict
    if vendor == "postgresql":
        connections.close_all()
        args, env = _pg_env(db)
        result = subprocess.run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(path),
            ],
            env=env,
            capture_output=True,
        )
        if result.returncode:
            raise BackupError(f"database restore failed: {result.stderr.decode(errors='replace')[-500:]}")
        return
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_documents(folder: Path, names: dict[str, str]) -> None:
    storage = storages["default"]
    for name in names:
        if storage.exists(name):
            storage.delete(name)
        stored = storage.write_stored(name, (folder / name).read_bytes())
        if stored != name:
            raise BackupError(f"document {name} was stored as {stored}")


def backup_filename(now: datetime.datetime | None = None) -> str:
    """A default file name for a backup made now, e.g. ``dief-20261130T0712Z.backup``."""
    return f"dief-{(now or clock.now()):%Y%m%dT%H%MZ}.backup"
