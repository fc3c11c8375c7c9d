"""A throwaway nginx in front of a loopback gunicorn, as docs/operations.md sections 4-5 run it.

gunicorn's sync workers must sit behind a buffering proxy: a sync worker accepts a connection and
blocks reading it until a request arrives, so a client holding an idle keep-alive connection parks
a whole worker. Production has nginx in front; a load test that talks to gunicorn directly measures
that parking, not the app. `Proxy` runs Debian's nginx in the foreground (`daemon off;`) in its own
process group with every file it writes (config, pid, error log, temp paths) under one directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess  # noqa: S404
import time
from pathlib import Path

NGINX_PID = Path("/run/nginx.pid")
POLICY_RC = Path("/usr/sbin/policy-rc.d")


def find_nginx() -> str | None:
    # /usr/sbin is often not on an ordinary user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def ensure_nginx() -> str:
    """Debian's nginx binary, installed with apt-get when missing, without leaving a daemon behind.

    Installing the package normally starts the system nginx on port 80. A temporary policy-rc.d
    answering 101 ("action forbidden") stops invoke-rc.d from starting it; an existing policy-rc.d
    is left as it is. Should a system nginx have started anyway, it is stopped again.
    """
    found = find_nginx()
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing nginx from Debian ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    had_pid = NGINX_PID.exists()
    own_policy = not POLICY_RC.exists()
    if own_policy:
        subprocess.run(  # noqa: S603
            [
                *sudo,
                "sh",
                "-c",
                f"printf '#!/bin/sh\\nexit 101\\n' > {POLICY_RC} && chmod 755 {POLICY_RC}",
            ],
            check=True,
        )
    try:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)  # noqa: S603
        subprocess.run(  # noqa: S603
            [*sudo, "apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env
        )
    finally:
        if own_policy:
            subprocess.run([*sudo, "rm", "-f", str(POLICY_RC)], check=False)  # noqa: S603
    found = find_nginx()
    if not found:
        raise RuntimeError("nginx is not on PATH or in /usr/sbin after apt-get install nginx")
    if not had_pid and NGINX_PID.exists():
        subprocess.run([*sudo, found, "-s", "quit"], check=False)  # noqa: S603
    return found


def version(binary: str) -> str:
    """'1.22.1' from `nginx -v` (which prints to stderr)."""
    proc = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"nginx/(\S+)", proc.stderr + proc.stdout)
    return found.group(1) if found else "?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
# Written by testing.nginx for a load test; every path is under {dir}.
daemon off;
# One worker: the box's cores are for gunicorn; nginx only shuttles bytes.
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}

http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    # As docs/operations.md section 5, without TLS, static files or limit_req: every bench
    # client is 127.0.0.1, so the per-address limit would refuse the load test itself.
    keepalive_timeout 75s;
    client_max_body_size 12m;
    proxy_read_timeout 65s;

    upstream bianmin_app {{
        server 127.0.0.1:{upstream};
        # As in production; gunicorn's sync workers close every connection anyway.
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://bianmin_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


class Proxy:
    """nginx on 127.0.0.1:<port> proxying to gunicorn on 127.0.0.1:<upstream>."""

    def __init__(self, upstream: int, workdir: Path, *, binary: str | None = None):
        self.upstream = upstream
        self.dir = workdir.resolve()
        self.binary = binary or ensure_nginx()
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def version(self) -> str:
        return version(self.binary)

    def start(self, *, timeout: float = 20) -> Proxy:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(CONFIG.format(dir=self.dir, upstream=self.upstream, port=self.port))
        log = self.dir / "error.log"
        # -e: the error log before the config is read (else /var/log/nginx/error.log).
        args = [self.binary, "-p", str(self.dir), "-e", str(log), "-c", str(conf)]
        with (self.dir / "nginx.out").open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise RuntimeError(
                    f"nginx exited {code}: {(self.dir / 'nginx.out').read_text()[-2000:]}"
                    f"{log.read_text()[-2000:] if log.exists() else ''}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        """Graceful stop (SIGQUIT), then SIGKILL to the whole process group if it lingers."""
        if self.proc is None:
            return
        try:
            self.proc.send_signal(signal.SIGQUIT)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            # The master and its workers share the process group we gave them.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
