"""Static files in production: collectstatic (WhiteNoise's CompressedManifestStaticFilesStorage)
still runs, writes a compressed copy of each text file, and the application serves it compressed.
The scanner's QR decoder ships minified."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x7#Qp!" * 10, "DJANGO_ALLOWED_HOSTS": "testserver"}


def production_env(static_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return {**env, **PRODUCTION, "DJANGO_STATIC_ROOT": str(static_root), "DJANGO_SETTINGS_MODULE": "config.settings"}


def test_collectstatic_in_production_writes_compressed_files_and_the_app_serves_them(tmp_path):
    env = production_env(tmp_path / "static")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    decoder = sorted((tmp_path / "static" / "vendor" / "jsqr").glob("jsQR.min.*.js"))
    assert decoder, "the hashed, minified decoder is collected"
    gz = decoder[0].with_name(decoder[0].name + ".gz")
    assert gz.exists() and gz.stat().st_size < 60_000  # 130 KB minified, about 45 KB on the wire
    assert sorted((tmp_path / "static" / "css").glob("boju.*.css.gz"))
    # The application (WhiteNoise) answers a gzip-accepting client with the compressed copy.
    code = (
        "import django; django.setup(); from django.templatetags.static import static; "
        "from django.test import Client; url = static('vendor/jsqr/jsQR.min.js'); "
        "r = Client(HTTP_ACCEPT_ENCODING='gzip').get(url, secure=True); "
        "print(url, r.status_code, r.headers.get('Content-Encoding'), r.headers.get('Content-Length'))"
    )
    served = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    url, status, encoding, length = served.stdout.split()
    assert (status, encoding) == ("200", "gzip"), served.stdout + served.stderr
    assert url.startswith("/static/vendor/jsqr/jsQR.min.") and int(length) == gz.stat().st_size


def test_the_scanner_pages_load_the_minified_decoder_only():
    assert not (ROOT / "static" / "vendor" / "jsqr" / "jsQR.js").exists()
    minified = (ROOT / "static" / "vendor" / "jsqr" / "jsQR.min.js").read_text()
    assert len(minified) < 140_000 and minified.count("\n") < 5
    assert "vendor/jsqr/jsQR.min.js" in (ROOT / "templates" / "checkin" / "scanner.html").read_text()
