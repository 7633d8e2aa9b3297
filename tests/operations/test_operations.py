"""Health probes, and backups that restore: a populated database and its uploads are backed up,
restored into a fresh database and fresh folders, and compared row for row and byte for byte."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from config.celery import app as celery_app
from operations import health
from operations.backup import file_checksums, table_rows

from ..factories import EventFactory, RegistrationFactory, candidate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response.headers["Cache-Control"] or "max-age=0" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_component(client, settings):
    settings.REDIS_URL = ""
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert {name: c["status"] for name, c in body["components"].items()} == {
        "database": "ok",
        "redis": "not_configured",
        "celery": "not_configured",
    }


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["components"]["redis"]["status"] == "down: ConnectionError"
    assert body["components"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_without_a_celery_worker(client, settings, redis_url):
    # A real broker with no worker on it: the ping finds nobody within its timeout.
    settings.REDIS_URL = redis_url
    celery_app.conf.task_always_eager = False
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.task_always_eager = True
    body = response.json()
    assert response.status_code == 503
    assert (body["components"]["redis"]["status"], body["components"]["celery"]["status"]) == ("ok", "no_worker")
    assert body["components"]["celery"]["ms"] >= health.TIMEOUT_S * 1000 * 0.5


def _populate(media: Path, private: Path) -> None:
    event = EventFactory(title="青岛蓝洽会博士后专区")
    RegistrationFactory.create_batch(7, event=event)
    RegistrationFactory(event=event, user=candidate(), status="waitlisted")
    (media / "logos" / "2026").mkdir(parents=True)
    (media / "logos" / "2026" / "haier.png").write_bytes(os.urandom(2048))
    (private / "cv").mkdir(parents=True)
    (private / "cv" / "a1b2.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(4096))


def _manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _env(database_url: str, media: Path, private: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(private),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    return env


def test_postgres_backup_restores_into_a_fresh_database(postgres, tmp_path, settings):
    media, private = tmp_path / "media", tmp_path / "private"
    media.mkdir()
    private.mkdir()
    settings.MEDIA_ROOT = media
    settings.PRIVATE_MEDIA_ROOT = private
    _populate(media, private)
    rows = table_rows()
    sums = file_checksums({"media": media, "private": private})
    from django.core.management import call_command

    call_command("backup", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    db = connection.settings_dict
    fresh = f"boju_restore_{uuid.uuid4().hex[:8]}"
    admin_url = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{fresh}"
        restored_media, restored_private = tmp_path / "r-media", tmp_path / "r-private"
        done = _manage("restore", str(folder), "--yes", env=_env(url, restored_media, restored_private))
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["ok"] and report["tables_differing"] == {} and report["files_differing"] == []
        # Checked here as well, independently of the command's own comparison.
        with psycopg.connect(f"{admin_url.replace('dbname=postgres', 'dbname=' + fresh)}") as restored:
            for table in ("events_event", "events_registration", "accounts_user", "django_migrations"):
                count = restored.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                assert count == rows[table], table
        assert file_checksums({"media": restored_media, "private": restored_private}) == sums
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_sqlite_backup_restores_into_a_fresh_file(tmp_path):
    # The embedded default, end to end in subprocesses: migrate, fill, back up, restore elsewhere.
    # One of the slower tests (~15 s: a migration of a new SQLite file).
    media, private = tmp_path / "media", tmp_path / "private"
    env = _env(f"sqlite:///{tmp_path / 'site.sqlite3'}", media, private)
    assert _manage("migrate", "--noinput", "-v0", env=env).returncode == 0
    fill = (
        "from tests.factories import EventFactory, RegistrationFactory; e = EventFactory(); "
        "RegistrationFactory.create_batch(5, event=e); import os; from django.conf import settings; "
        "os.makedirs(settings.MEDIA_ROOT / 'logos', exist_ok=True); "
        "open(settings.MEDIA_ROOT / 'logos' / 'x.png', 'wb').write(b'png' * 100)"
    )
    assert _manage("shell", "-c", fill, env=env).returncode == 0
    done = _manage("backup", str(tmp_path / "backups"), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    made = json.loads(done.stdout.strip().splitlines()[-1])
    assert made["files"] == 1 and made["rows"] > 0
    target = _env(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "r-media", tmp_path / "r-private")
    done = _manage("restore", made["folder"], "--yes", env=target)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["rows"] == made["rows"] and report["files"] == 1
    assert (tmp_path / "r-media" / "logos" / "x.png").read_bytes() == b"png" * 100


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"has no manifest\.json"):
        call_command("restore", str(tmp_path), "--yes")
    assert table_rows()["django_migrations"] > 0  # the database was not touched
