"""Run modes: the production settings pass Django's deployment checks, and refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_mode_passes_check_deploy_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x7#Qp!" * 10,
        DJANGO_ALLOWED_HOSTS="boju.example.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_mode_refuses_missing_secret_or_hosts():
    no_secret = manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="boju.example.cn")
    assert no_secret.returncode != 0
    assert "DJANGO_SECRET_KEY (50+ characters) is required in production." in no_secret.stderr
    no_hosts = manage("check", DJANGO_ENV="production", DJANGO_SECRET_KEY="x7#Qp!" * 10)
    assert no_hosts.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is required in production." in no_hosts.stderr


def test_embedded_default_uses_sqlite_memory_layer_and_inline_tasks():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.LANGUAGE_CODE, s.TIME_ZONE]))"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("DJANGO_")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == (
        '["django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", true, '
        '"django.core.mail.backends.console.EmailBackend", "zh-hans", "Asia/Shanghai"]'
    ), out.stderr


def test_with_redis_sessions_cache_and_the_cache_share_one_client_per_process():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], s.CHANNEL_LAYERS['default']['BACKEND']]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", REDIS_URL="redis://127.0.0.1:6399/0")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == (
        # Sessions in the database only: with Redis down they keep working (docs/robustness.md).
        '["accounts.sessions", "config.cache.DegradingRedisCache", "config.channel_layer.BoundedRedisChannelLayer"]'
    ), out.stderr
