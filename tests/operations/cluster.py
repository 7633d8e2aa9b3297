"""A small Boju cluster on one machine: app "hosts" in Linux network namespaces behind the nginx
site of deploy/, sharing this machine's PostgreSQL and Redis. Used by test_cluster.py and
bench/cluster.py. Needs root (ip netns) and socat.

    host namespace:  nginx on 127.0.0.1:<port>  ──►  10.250.K.2:8000 in namespace <tag>-aK
                     socat on 10.250.K.1:5432/6379 ──► 127.0.0.1 (PostgreSQL, Redis)

Each app namespace has its own network stack (own loopback, own address, reached over a veth
pair), and runs uvicorn and a Celery worker, exactly what a host runs in production. The
database stays in the host namespace: PostgreSQL here listens on 127.0.0.1 only and is shared
with other work on the machine, so instead of a "db" namespace each app namespace reaches it
through a socat relay on its gateway address (to the app it is a database host at 10.250.K.1).
Everything created is removed in stop(), also after a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "boju.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available() -> str:
    """'' if a cluster can start here, else why not."""
    if os.geteuid() != 0:
        return "needs root for ip netns"
    for tool in ("ip", "socat"):
        if not shutil.which(tool):
            return f"needs {tool} (apt-get install iproute2 socat)"
    if not Path(NGINX).exists():
        return "needs nginx (apt-get install nginx-light)"
    return ""


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(
    host: str, port: int, timeout: float, process: subprocess.Popen | None = None, netns: str | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited early ({process.args[:6]})")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{host}:{port} did not open in {timeout}s")


def nginx_site(*, port: int, upstreams: list[str], folder: Path, extra_location_lines: str = "") -> str:
    """The shipped site with only addresses, folders and TLS changed (as test_nginx.py does)."""
    site = SITE.read_text(encoding="utf-8")
    servers = "".join(f"    server {u} max_fails=3 fail_timeout=10s;\n" for u in upstreams)
    site = re.sub(r"(?m)^    server 10\.0\.0\.11:8000.*\n    server 10\.0\.0\.12:8000.*\n", servers, site)
    site = re.sub(r"(?s)server \{\s*listen 80;.*?\n\}\n", "", site, count=1)
    site = re.sub(r"listen 443 ssl http2;.*\n", f"listen 127.0.0.1:{port};\n", site)
    site = re.sub(r"\s*ssl_\w+ [^;]+;", "", site)
    site = site.replace("/var/log/nginx/", f"{folder}/")
    site = site.replace("/srv/boju/media/", f"{folder}/media/").replace("/srv/boju/staticfiles/", f"{folder}/static/")
    if extra_location_lines:
        site = site.replace("proxy_pass http://boju_app;", "proxy_pass http://boju_app;\n" + extra_location_lines)
    return site


def nginx_main_conf(folder: Path, site: str, workers: int = 1) -> Path:
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(
        f"""{user}
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
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


class AppHost:
    def __init__(self, cluster: Cluster, index: int):
        self.index = index
        self.netns = f"{cluster.tag}a{index}"
        self.veth = f"{cluster.tag}v{index}"
        self.subnet = cluster.subnet_base + index
        self.gateway = f"10.250.{self.subnet}.1"
        self.address = f"10.250.{self.subnet}.2"
        self.upstream = f"{self.address}:8000"
        self.processes: list[subprocess.Popen] = []
        self.relays: list[subprocess.Popen] = []
        self.alive = False

    def network_up(self) -> None:
        _run("ip", "netns", "add", self.netns)
        _run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.veth + "n")
        _run("ip", "link", "set", self.veth + "n", "netns", self.netns)
        _run("ip", "addr", "add", f"{self.gateway}/30", "dev", self.veth)
        _run("ip", "link", "set", self.veth, "up")
        _run("ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up")
        _run("ip", "netns", "exec", self.netns, "ip", "addr", "add", f"{self.address}/30", "dev", self.veth + "n")
        _run("ip", "netns", "exec", self.netns, "ip", "link", "set", self.veth + "n", "up")
        for port in (5432, 6379):
            self.relays.append(
                subprocess.Popen(
                    [
                        "socat",
                        f"TCP-LISTEN:{port},bind={self.gateway},reuseaddr,fork,backlog=512",
                        f"TCP:127.0.0.1:{port}",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in (5432, 6379):
            _wait_port(self.gateway, port, 10)

    def start(
        self, env: dict, *, workers: int, log_folder: Path, celery: bool = True, database_socket: str = ""
    ) -> None:
        # Through the relay, or PostgreSQL's Unix socket (a file: network namespaces do not hide it).
        database_host = database_socket.replace("/", "%2F") if database_socket else self.gateway
        env = {
            **env,
            "DATABASE_URL": _rehost(env["DATABASE_URL"], database_host),
            "REDIS_URL": _rehost(env["REDIS_URL"], self.gateway),
        }
        env.pop("CELERY_BROKER_URL", None)
        prefix = ["ip", "netns", "exec", self.netns]
        web_log = open(log_folder / f"web{self.index}.log", "ab")
        self.processes.append(
            subprocess.Popen(
                [
                    *prefix,
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    self.address,
                    "--port",
                    "8000",
                    "--workers",
                    str(workers),
                    "--proxy-headers",
                    "--forwarded-allow-ips",
                    self.gateway,
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=web_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        if celery:
            worker_log = open(log_folder / f"worker{self.index}.log", "ab")
            queue = env["CELERY_TASK_DEFAULT_QUEUE"]
            self.processes.append(
                subprocess.Popen(
                    [
                        *prefix,
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "-Q",
                        queue,
                        "-n",
                        f"{queue}-{self.index}@%h",
                        "--concurrency",
                        "1",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "-l",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        self.alive = True

    def wait_ready(self, timeout: float = 90) -> None:
        _wait_port(self.address, 8000, timeout, self.processes[0])

    def kill(self) -> None:
        """SIGKILL every process of this host (the machine is gone: nothing is shut down cleanly)."""
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for process in self.processes:
            process.wait(timeout=10)
        self.alive = False

    def stop(self) -> None:
        if self.alive:
            for process in self.processes:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            for process in self.processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            self.alive = False
        for relay in self.relays:
            relay.terminate()
            relay.wait(timeout=5)
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)


def _rehost(url: str, host: str) -> str:
    parts = urlsplit(url)
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    port = "" if host.startswith("%2F") else f":{parts.port}"
    return urlunsplit((parts.scheme, f"{auth}{host}{port}", parts.path, parts.query, parts.fragment))


class Cluster:
    """`hosts` app hosts (namespaces) behind nginx. `env` is the apps' environment (DATABASE_URL
    and REDIS_URL as seen from this machine; they are rewritten to the relay per host)."""

    def __init__(
        self,
        *,
        env: dict,
        hosts: int = 2,
        workers: int = 1,
        folder: Path,
        extra_location_lines: str = "",
        celery: bool = True,
        database_socket: str = "",
    ):
        self.tag = f"bj{os.getpid() % 100000}"
        self.subnet_base = 10 + (os.getpid() % 40) * 5
        self.env, self.workers, self.folder, self.celery = env, workers, Path(folder), celery
        self.database_socket = database_socket
        self.hosts = [AppHost(self, i + 1) for i in range(hosts)]
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.extra_location_lines = extra_location_lines
        self.nginx: subprocess.Popen | None = None

    def start(self) -> Cluster:
        try:
            for host in self.hosts:
                host.network_up()
            for host in self.hosts:
                host.start(
                    self.env,
                    workers=self.workers,
                    log_folder=self.folder,
                    celery=self.celery,
                    database_socket=self.database_socket,
                )
            (self.folder / "media" / "logos").mkdir(parents=True, exist_ok=True)
            (self.folder / "static").mkdir(exist_ok=True)
            site = nginx_site(
                port=self.port,
                upstreams=[h.upstream for h in self.hosts],
                folder=self.folder,
                extra_location_lines=self.extra_location_lines,
            )
            self.nginx = subprocess.Popen(
                [NGINX, "-c", str(nginx_main_conf(self.folder, site)), "-p", str(self.folder), "-g", "daemon off;"],
                stderr=subprocess.DEVNULL,
            )
            _wait_port("127.0.0.1", self.port, 10, self.nginx)
            for host in self.hosts:
                host.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def extra_nginx(self, change) -> tuple[subprocess.Popen, int]:
        """A second nginx in front of the same hosts with `change(site) -> site` applied (a test's
        negative control); the caller terminates it."""
        port = _free_port()
        folder = self.folder / f"nginx-{port}"
        folder.mkdir()
        site = change(
            nginx_site(
                port=port,
                upstreams=[h.upstream for h in self.hosts],
                folder=self.folder,
                extra_location_lines=self.extra_location_lines,
            )
        )
        process = subprocess.Popen(
            [NGINX, "-c", str(nginx_main_conf(folder, site)), "-p", str(folder), "-g", "daemon off;"],
            stderr=subprocess.DEVNULL,
        )
        _wait_port("127.0.0.1", port, 10, process)
        return process, port

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in sorted(self.folder.glob("*.log"))
        )

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        for host in self.hosts:
            host.stop()
