"""`collectstatic` in production mode (WhiteNoise's CompressedManifestStaticFilesStorage) works
from the repository's static files: the Dockerfile runs it at build time, and a vendored CSS
that names a file which is not shipped (a source map) makes it fail. Slow-ish (it compresses
every file, 20-60 s on the 2-core machine), so it runs in a subprocess once."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_collectstatic_in_production_mode(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "boju.example.cn",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text(encoding="utf-8"))
    # Hashed names for our own files and the vendored ones, each with its compressed copies.
    for name in ("vendor/jsqr/jsQR.min.js", "vendor/swagger-ui-dist/swagger-ui.css"):
        hashed = manifest["paths"].get(name)
        assert hashed and hashed != name, name
        assert (tmp_path / "static" / (hashed + ".gz")).exists()
