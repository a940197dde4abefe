"""Encrypted, verifiable backups (manage.py backup / verify_backup / restore).

A backup is one file:

    SIRA-BACKUP 1\n
    <manifest: one line of JSON, in clear, authenticated>\n
    <records: 4-byte big-endian length, then 12-byte nonce + AES-256-GCM ciphertext and tag>…

The dump (pg_dump's custom format on PostgreSQL, the database file itself on SQLite) is cut into 1 MiB
chunks, each encrypted with SIRA_BACKUP_KEY; every record's associated data binds it to the manifest's
hash, its position and whether it is the last, so a record cannot be altered, dropped, reordered or
moved to another backup without decryption failing. The last record is a trailer: the dump's SHA-256
and length. Nothing is written to disk in clear. A `<file>.sha256` beside it lets a copy be checked
without the key. The field keys are not in the backup: identities stay encrypted inside it, and restoring
needs the same SIRA_FIELD_ENCRYPTION_KEYS and SIRA_BLIND_INDEX_KEY as the database had."""

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.db import connection

from sira.core.crypto import fingerprint

MAGIC = b"SIRA-BACKUP 1\n"
CHUNK = 1 << 20
MAX_RECORD = CHUNK + 1024


class BackupError(Exception):
    """The backup cannot be made, read or trusted; the message says why."""


def backup_key() -> bytes:
    raw = settings.SIRA_BACKUP_KEY
    if not raw:
        raise BackupError("SIRA_BACKUP_KEY (or SIRA_BACKUP_KEY_FILE) is not set")
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode())
    except ValueError as exc:
        raise BackupError("SIRA_BACKUP_KEY is not URL-safe base64") from exc
    if len(key) != 32:
        raise BackupError("SIRA_BACKUP_KEY must hold 32 bytes (a Fernet-format key)")
    return key


def table_counts() -> dict[str, int]:
    """Rows per table of every installed model: recorded in the manifest, compared after a restore."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                table = model._meta.db_table
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def _aad(manifest_hash: bytes, index: int, last: bool) -> bytes:
    return manifest_hash + struct.pack(">QB", index, 1 if last else 0)


# ---------------------------------------------------------------------------------------------------
# Dumps


def _sqlite_dump() -> bytes:
    """A consistent copy of the live SQLite database, taken with SQLite's online backup, in memory."""
    connection.ensure_connection()
    target = sqlite3.connect(":memory:")
    try:
        connection.connection.backup(target)
        return target.serialize()
    finally:
        target.close()


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--host", s.get("HOST") or "localhost", "--port", str(s.get("PORT") or 5432)]
    args += ["--username", s.get("USER") or "postgres", "--dbname", s["NAME"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools)")
    return path


def _pg_dump_stream() -> Iterator[bytes]:
    args, env = _pg_env()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed tool, arguments from settings
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        while chunk := process.stdout.read(CHUNK):
            yield chunk
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")


def _dump_stream() -> Iterator[bytes]:
    if connection.vendor == "sqlite":
        data = _sqlite_dump()
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
    elif connection.vendor == "postgresql":
        yield from _pg_dump_stream()
    else:
        raise BackupError(f"no backup method for {connection.vendor}")


# ---------------------------------------------------------------------------------------------------
# Writing and reading


def write_backup(path: Path) -> dict:
    """Writes an encrypted backup of the database to `path` (and `path`.sha256); returns its manifest."""
    key = backup_key()
    aes = AESGCM(key)
    manifest = {
        "format": 1,
        "engine": connection.vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "key_id": fingerprint(key),
        "tables": table_counts(),
        "chunk": CHUNK,
    }
    header = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    manifest_hash = hashlib.sha256(header).digest()
    digest, length, index = hashlib.sha256(), 0, 0
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        os.chmod(partial, 0o600)
        out.write(MAGIC + header + b"\n")

        def put(plain: bytes, last: bool):
            nonce = os.urandom(12)
            sealed = nonce + aes.encrypt(nonce, plain, _aad(manifest_hash, index, last))
            out.write(struct.pack(">I", len(sealed)) + sealed)

        for chunk in _dump_stream():
            digest.update(chunk)
            length += len(chunk)
            put(chunk, last=False)
            index += 1
        put(json.dumps({"sha256": digest.hexdigest(), "bytes": length}).encode(), last=True)
    os.replace(partial, path)
    Path(f"{path}.sha256").write_text(f"{file_sha256(path)}  {path.name}\n")
    return manifest | {"sha256": digest.hexdigest(), "bytes": length}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> tuple[dict, bytes, int]:
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError("not a Sira backup file")
        header = f.readline(1_000_000).rstrip(b"\n")
        try:
            manifest = json.loads(header)
        except ValueError as exc:
            raise BackupError("the backup's manifest is damaged") from exc
        return manifest, header, f.tell()


def read_backup(path: Path) -> Iterator[bytes]:
    """The dump's chunks, each checked; raises BackupError at the first sign of damage or tampering,
    and after the last chunk unless the trailer's length and SHA-256 match what was read."""
    manifest, header, offset = read_manifest(path)
    key = backup_key()
    if manifest.get("key_id") != fingerprint(key):
        raise BackupError("this backup was made with another SIRA_BACKUP_KEY")
    aes = AESGCM(key)
    manifest_hash = hashlib.sha256(header).digest()
    digest, length, index = hashlib.sha256(), 0, 0
    with open(path, "rb") as f:
        f.seek(offset)
        pending = _record(f)
        while pending is not None:
            following = _record(f)
            last = following is None
            try:
                plain = aes.decrypt(pending[:12], pending[12:], _aad(manifest_hash, index, last))
            except InvalidTag as exc:
                raise BackupError(f"record {index} is damaged, altered or out of place") from exc
            if last:
                trailer = json.loads(plain)
                if trailer != {"sha256": digest.hexdigest(), "bytes": length}:
                    raise BackupError("the dump does not match its checksum")
                return
            digest.update(plain)
            length += len(plain)
            index += 1
            yield plain
            pending = following
    raise BackupError("the backup is truncated")


def _record(f) -> bytes | None:
    size = f.read(4)
    if not size:
        return None
    if len(size) != 4:
        raise BackupError("the backup is truncated")
    (n,) = struct.unpack(">I", size)
    if n > MAX_RECORD:
        raise BackupError("the backup is damaged (record too long)")
    data = f.read(n)
    if len(data) != n:
        raise BackupError("the backup is truncated")
    return data


def verify_backup(path: Path) -> dict:
    """Reads the whole backup and checks every record and the dump's checksum; returns the manifest."""
    sidecar = Path(f"{path}.sha256")
    if sidecar.exists() and sidecar.read_text().split()[0] != file_sha256(path):
        raise BackupError(f"the file does not match {sidecar.name}")
    manifest, _header, _offset = read_manifest(path)
    total = sum(len(chunk) for chunk in read_backup(path))
    return manifest | {"bytes": total}


# ---------------------------------------------------------------------------------------------------
# Restoring


def restore_backup(path: Path) -> dict:
    """Replaces the database's content with the backup's, after checking all of it; returns the
    manifest. The database engine must be the backup's."""
    manifest, _header, _offset = read_manifest(path)
    if manifest.get("engine") != connection.vendor:
        raise BackupError(f"a {manifest.get('engine')} backup cannot be restored into {connection.vendor}")
    if connection.vendor == "sqlite":
        data = b"".join(read_backup(path))  # all checked before anything is replaced
        source = sqlite3.connect(":memory:")
        try:
            source.deserialize(data)
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        verify_backup(path)  # every record checked before the database is touched
        _pg_restore(path)
    connection.close()
    return manifest


def _pg_restore(path: Path) -> None:
    args, env = _pg_env()
    connection.close()  # our own connection holds no lock on what pg_restore drops
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - fixed tool, arguments from settings
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        try:
            for chunk in read_backup(path):
                process.stdin.write(chunk)
        except BrokenPipeError:
            pass
        finally:
            process.stdin.close()
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore failed: {errors.read().decode(errors='replace').strip()}")
