"""A whole site in one dated archive, and back (``manage.py backup`` / ``restore``).

The archive (``kindsteps-YYYYMMDD-HHMMSS.tar.gz``, UTC) holds ``manifest.json``, the
database (``database.dump`` from pg_dump's custom format, or ``database.sqlite3`` made by
SQLite's online backup API, consistent while the site runs) and ``files/``: every file in
the default storage, the originals of activities and the media, whichever storage holds
them (local disk or S3). The job queue is not kept: it holds only work in flight, which the
periodic sweeps take up again (docs/deployment.md, "Backup and restore")."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections

FORMAT = 1
FILES = "files/"


class BackupError(Exception):
    """Why a backup or a restore cannot go on, in words for the administrator."""


def storage_names(storage: Storage = default_storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage``, depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for sub in sorted(folders):
        yield from storage_names(storage, f"{folder}{sub}/")


def _pg_environment(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    conf = connections[alias].settings_dict
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return [*args, "--dbname", str(conf["NAME"])], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()[-2000:]}") from exc


def dump_database(folder: Path) -> str:
    """Write the database into ``folder``; returns the file's name."""
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        target = folder / "database.dump"
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        return target.name
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return target.name
    raise BackupError(f"backing up a {connection.vendor} database is not supported")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup(output_dir: Path, *, now: datetime | None = None) -> Path:
    """Write a dated archive into ``output_dir`` and return its path."""
    now = now or datetime.now(UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"kindsteps-{now:%Y%m%d-%H%M%S}.tar.gz"
    partial = path.with_suffix(".partial")
    with tempfile.TemporaryDirectory() as scratch:
        database = dump_database(Path(scratch))
        count = 0
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(scratch) / database, arcname=database)
            for name in storage_names():
                info = tarfile.TarInfo(FILES + name)
                info.size = default_storage.size(name)
                with default_storage.open(name, "rb") as handle:
                    archive.addfile(info, handle)
                count += 1
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "vendor": connection.vendor,
                "database": database,
                "files": count,
            }
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    partial.rename(path)
    return path


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember("manifest.json")
    except KeyError as exc:
        raise BackupError("this archive has no manifest.json: not a KindSteps backup") from exc
    handle = archive.extractfile(member)
    assert handle is not None
    manifest = json.load(handle)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"archive format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def restore_database(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"the archive holds a {vendor} database; this site runs on {connection.vendor}"
        )
    if vendor == "postgresql":
        connection.close()
        args, env = _pg_environment()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(dump),
            ],
            env,
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def restore(path: Path) -> dict:
    """Put the archive's database in place of this site's and write its files back into
    the default storage (a file of the same name is replaced). Returns the manifest."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with tarfile.open(path, "r:gz") as archive, tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(archive)
        member = archive.getmember(manifest["database"])
        archive.extract(member, scratch, filter="data")
        restore_database(Path(scratch) / member.name, manifest["vendor"])
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(FILES):
                continue
            name = member.name.removeprefix(FILES)
            if ".." in Path(name).parts or name.startswith("/"):
                raise BackupError(f"refusing the unsafe file name {member.name!r}")
            handle = archive.extractfile(member)
            assert handle is not None
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(handle))
            if saved != name:
                raise BackupError(f"the storage kept {name!r} as {saved!r}")
    return manifest
