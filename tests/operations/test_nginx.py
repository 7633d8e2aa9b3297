"""The nginx site in deploy/ is valid and does what docs/deploy.md says: it is checked with
`nginx -t` as shipped (with a throwaway certificate), then run in front of a live server with
only its addresses, ports and folders changed."""

import datetime
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "boju.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def nginx():
    require(Path(NGINX).exists(), "needs nginx (apt-get install nginx-light)")
    return NGINX


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "boju.example.cn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _main_conf(folder: Path, site: str) -> Path:
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    # The workers run as the test's user: the temporary folders are private to it.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(
        f"""{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def test_nginx_site_as_shipped_passes_nginx_t(nginx, tmp_path):
    cert, key = _certificate(tmp_path)
    site = SITE.read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/boju/fullchain.pem", str(cert)).replace("/etc/ssl/boju/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    done = subprocess.run(
        [nginx, "-t", "-c", str(_main_conf(tmp_path, site)), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw_headers(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return str(response.headers)


def _fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db(transaction=True)
def test_nginx_in_front_of_the_app(nginx, live_server, tmp_path):
    app_port = live_server.url.rsplit(":", 1)[1]
    port = _free_port()
    media = tmp_path / "media"
    (media / "logos").mkdir(parents=True)
    (media / "cv").mkdir()
    (media / "logos" / "haier.png").write_bytes(b"\x89PNG logo")
    (media / "cv" / "someone.pdf").write_bytes(b"%PDF secret")  # as if a CV had been put here by mistake
    site = SITE.read_text(encoding="utf-8")
    site = re.sub(r"server 10\.0\.0\.1[12]:8000", f"server 127.0.0.1:{app_port}", site)
    site = re.sub(r"(?s)server \{\s*listen 80;.*?\n\}\n", "", site, count=1)  # the redirect-only server
    site = re.sub(r"listen 443 ssl http2;.*\n", f"listen 127.0.0.1:{port};\n", site)
    site = re.sub(r"\s*ssl_\w+ [^;]+;", "", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    site = site.replace("/srv/boju/media/", f"{media}/").replace("/srv/boju/staticfiles/", f"{tmp_path}/static/")
    process = subprocess.Popen(
        [nginx, "-c", str(_main_conf(tmp_path, site)), "-p", str(tmp_path), "-g", "daemon off;"], stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        status, headers, body = _fetch(f"{base}/healthz")
        assert (status, body) == (200, b'{"status": "ok"}')
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        # One id, set by nginx, echoed by the app (not a second header), and in nginx's JSON log.
        assert len(re.findall(r"(?im)^x-request-id:", str(_raw_headers(base, "/healthz")))) == 1
        logged = [json.loads(line) for line in (tmp_path / "boju.access.log").read_text().splitlines()]
        assert headers["X-Request-ID"] in {line["request_id"] for line in logged}
        # Public uploads are served from disk; anything else under /media/ is refused, even if it exists.
        assert _fetch(f"{base}/media/logos/haier.png")[2] == b"\x89PNG logo"
        assert _fetch(f"{base}/media/cv/someone.pdf")[0] == 404
        # Pages are compressed for clients that ask.
        status, headers, body = _fetch(f"{base}/", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert b"<html" in gzip.decompress(body)
        # Bodies above the largest upload are refused by nginx before the app sees them.
        request = urllib.request.Request(f"{base}/me/profile/", data=b"x" * (12 * 1024 * 1024), method="POST")
        try:
            urllib.request.urlopen(request, timeout=20)
            code = 200
        except urllib.error.HTTPError as error:
            code = error.code
        except (ConnectionError, urllib.error.URLError):
            code = 413  # nginx may close the connection while the body is still being sent
        assert code == 413
    finally:
        process.terminate()
        process.wait(timeout=10)
