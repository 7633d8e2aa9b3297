"""Backups that restore: the database dump, the uploaded files, and a manifest to check both.

A backup is a folder:
    database.dump      pg_dump's custom format (PostgreSQL), or database.sqlite3 (SQLite)
    files.tar          MEDIA_ROOT and the private uploads (CVs, attachments), under media/, private/
    manifest.json      when, which database, rows per table, SHA-256 of every file

The dump is one consistent snapshot (pg_dump runs in one repeatable-read transaction; SQLite's
online backup API copies a consistent image). Files are copied after the dump, so a file
uploaded meanwhile is in the archive without its row (harmless); nothing the dump refers to is
missing unless it was deleted in those seconds. Restore puts both back and checks them against
the manifest: any table whose row count differs, or any file whose checksum differs, is reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def file_roots() -> dict[str, Path]:
    """The folders of uploads: public media, and private files if the project keeps them apart."""
    roots = {"media": Path(settings.MEDIA_ROOT)}
    private = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if private:
        roots["private"] = Path(private)
    return roots


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(roots: dict[str, Path]) -> dict[str, str]:
    sums = {}
    for label, root in roots.items():
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            sums[f"{label}/{path.relative_to(root).as_posix()}"] = _sha256(path)
    return sums


def _pg_env() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
    ]
    return env, args


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError("tool_failed", f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def backup_create(*, target: Path) -> dict:
    """Write a backup folder under `target`; return its manifest (with the folder's path)."""
    folder = Path(target) / timezone.now().strftime("boju-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "postgresql":
        env, args = _pg_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(folder / "database.dump"),
                *args,
                settings.DATABASES["default"]["NAME"],
            ],
            env,
        )
    elif vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        destination = sqlite3.connect(folder / "database.sqlite3")
        with destination:
            source.backup(destination)
        source.close()
        destination.close()
    else:
        raise BackupError("unsupported", f"no backup for {vendor}")
    rows = table_rows()  # after the dump: the counts the dump holds unless writes came in between
    roots = file_roots()
    with tarfile.open(folder / "files.tar", "w") as archive:
        for label, root in roots.items():
            if root.exists():
                archive.add(root, arcname=label)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": vendor,
        "tables": rows,
        "files": file_checksums(roots),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return {**manifest, "folder": str(folder)}


def backup_restore(*, source: Path) -> dict:
    """Restore `source` (a backup folder) into the configured database and file folders, then
    compare with its manifest. The database should be new and empty (or a copy to overwrite)."""
    source = Path(source)
    manifest_path = source / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("not_a_backup", f"{source} has no manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError("wrong_database", f"the backup is of {manifest['database']}, this site runs {vendor}")
    connection.close()
    if vendor == "postgresql":
        env, args = _pg_env()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                *args,
                "-d",
                settings.DATABASES["default"]["NAME"],
                str(source / "database.dump"),
            ],
            env,
        )
    else:
        shutil.copyfile(source / "database.sqlite3", settings.DATABASES["default"]["NAME"])
    roots = file_roots()
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(source / "files.tar") as archive:
        archive.extractall(scratch, filter="data")  # refuses absolute paths and ../ escapes
        for label, root in roots.items():
            unpacked = Path(scratch) / label
            if unpacked.exists():
                shutil.copytree(unpacked, root, dirs_exist_ok=True)
    rows = table_rows()
    sums = file_checksums(roots)
    wrong_tables = {
        t: {"backup": n, "restored": rows.get(t)} for t, n in manifest["tables"].items() if rows.get(t) != n
    }
    wrong_files = sorted(f for f, digest in manifest["files"].items() if sums.get(f) != digest)
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "files": len(manifest["files"]),
        "tables_differing": wrong_tables,
        "files_differing": wrong_files,
        "ok": not wrong_tables and not wrong_files,
    }
