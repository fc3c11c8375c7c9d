"""Run the real app under gunicorn on a loopback port, for the fault tests and the HTTP bench.

The server runs in its own process group, so `kill()` takes the master and every worker down at
once with SIGKILL, as a power cut or the kernel's OOM killer would.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess  # noqa: S404
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(workdir: Path, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """Environment for a bianmin process on its own data under `workdir`."""
    env = dict(os.environ)
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "testing.settings_faults",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
            "BIANMIN_VAR_DIR": str(workdir),
            "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": "bianmin-liveserver-not-secret",  # noqa: S105 - a throwaway test server
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], *, timeout: float = 600) -> str:
    """Run a command to completion; its stdout, or an error carrying its output."""
    proc = subprocess.run(  # noqa: S603
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc.stdout


def bianmin(*args: str, env: dict[str, str], timeout: float = 600) -> str:
    return run([str(BIN / "bianmin"), *args], env, timeout=timeout)


def migrated_copy(template: Path, workdir: Path) -> Path:
    """Copy a prepared SQLite database (one file, no WAL) into `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "db.sqlite3"
    shutil.copyfile(template, target)
    return target


def build_testbed(workdir: Path) -> dict:
    """Migrate a new SQLite database under `workdir` and build the test county into it."""
    env = app_env(workdir)
    bianmin("migrate", "--noinput", "-v", "0", env=env)
    out = run([sys.executable, "-m", "testing.testbed"], env)
    # Leave one self-contained file behind (fold the WAL in) so it can be copied as a template.
    import sqlite3

    con = sqlite3.connect(str(workdir / "db.sqlite3"))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """gunicorn serving bianmin.wsgi (or `app`) on 127.0.0.1:<port> with `workers` sync workers."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 2,
        threads: int = 1,
        log: Path,
        app: str = "bianmin.wsgi:application",
    ):
        self.env = env
        self.app = app
        self.workers = workers
        self.threads = threads
        self.log = log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60) -> Server:
        args = [
            str(BIN / "gunicorn"),
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        logfile = self.log.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603
            args,
            env=self.env,
            cwd=ROOT,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logfile.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited {self.proc.returncode}: {self.log.read_text()}"
                )
            try:
                status, _body = request(self.port, "GET", "/api/v1/items?limit=1")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the master and its workers together (the process group we started)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.proc = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One HTTP request on a fresh connection: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        h = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def token(port: int, username: str, password: str) -> dict[str, str]:
    status, body = request(
        port, "POST", "/api/v1/auth/token", {"username": username, "password": password}
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body[:300]!r}")
    return {"Authorization": f"Bearer {json.loads(body)['token']}"}


_TEMPLATE: tuple[Path, dict] | None = None


def testbed_template() -> tuple[Path, dict]:
    """The migrated test county as one SQLite file, built once per process (about 15-30 s)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        import atexit
        import tempfile

        workdir = Path(tempfile.mkdtemp(prefix="bianmin-testbed-"))
        atexit.register(shutil.rmtree, workdir, True)
        info = build_testbed(workdir)
        _TEMPLATE = (workdir / "db.sqlite3", info)
    return _TEMPLATE


def served_copy(workdir: Path) -> tuple[dict[str, str], dict]:
    """A fresh copy of the test county under `workdir`: (environment, testbed info)."""
    template, info = testbed_template()
    migrated_copy(template, workdir)
    return app_env(workdir), info


PERSON = {
    "applicant_kind": "person",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
}


def case_body(info: dict, kind: str) -> dict:
    spec = info[kind]
    return {
        "item_version": spec["version"],
        "channel": "window",
        "materials": {str(pk): "provided" for pk in spec["materials"]},
        **PERSON,
    }


class Burst:
    """Client threads opening cases and acting on them until the server goes away.

    `acked[number]` lists the actions whose 2xx answer reached the client, in order.
    """

    FLOWS = {"immediate": ["accept", "conclude"], "promised": ["accept"]}

    def __init__(self, port: int, headers: dict, info: dict, threads: int = 6):
        self.port, self.headers, self.info = port, headers, info
        self.acked: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.refused: list[tuple[int, bytes]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _post(self, path: str, body: dict):
        try:
            return request(self.port, "POST", path, body, headers=self.headers, timeout=20)
        except OSError:  # refused, reset or cut mid-answer: not acknowledged
            return None

    def _run(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            kind = "immediate" if (i + n) % 2 == 0 else "promised"
            n += 1
            answer = self._post("/api/v1/cases", case_body(self.info, kind))
            if answer is None:
                continue
            status, body = answer
            if status != 201:
                with self.lock:
                    self.refused.append(answer)
                continue
            number = json.loads(body)["number"]
            with self.lock:
                self.acked[number] = ["register"]
                self.kinds[number] = kind
            for action in self.FLOWS[kind]:
                answer = self._post(f"/api/v1/cases/{number}/actions/{action}", {})
                if answer is None:
                    break
                if answer[0] != 200:
                    with self.lock:
                        self.refused.append(answer)
                    break
                with self.lock:
                    self.acked[number].append(action)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def writes(self) -> int:
        with self.lock:
            return sum(len(a) for a in self.acked.values())
