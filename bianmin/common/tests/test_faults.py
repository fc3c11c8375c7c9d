"""Faults against the real app under gunicorn on a file SQLite database (issue 8, item 4).

- SIGKILL of the whole server in the middle of a burst of case writes: every write that was
  answered 2xx is there after the restart, no case is half-written, the hash chains verify.
- A read-only database and a full disk answer 503 with a Chinese message, never a traceback.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bianmin.conftest import PASSWORD
from bianmin.ops.middleware import DISK_FULL, READONLY
from testing import liveserver as live
from testing.liveserver import Burst, case_body
from testing.marks import own_sqlite_file

pytestmark = [pytest.mark.slow, own_sqlite_file]


def test_sigkill_mid_burst_loses_no_acknowledged_write(tmp_path):
    env, info = live.served_copy(tmp_path)
    server = live.Server(env, workers=2, log=tmp_path / "gunicorn.log").start()
    try:
        headers = live.token(server.port, "t01-staff", PASSWORD)
        with Burst(server.port, headers, info) as burst:
            deadline = time.monotonic() + 45
            while burst.writes() < 60 and time.monotonic() < deadline:
                time.sleep(0.05)
            server.kill()  # the burst is still firing: requests are in flight in both workers
        assert burst.writes() >= 20, "the burst should have been acknowledged before the kill"
        assert burst.refused == [], burst.refused[:3]
    finally:
        server.kill()

    db = tmp_path / "db.sqlite3"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    with live.Server(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        headers = live.token(server.port, "t01-staff", PASSWORD)
        for number, actions in burst.acked.items():
            status, body = live.request(
                server.port, "GET", f"/api/v1/cases/{number}/events", headers=headers
            )
            assert status == 200, (number, body[:200])
            events = json.loads(body)
            done = [e["action"] for e in events]
            # Every acknowledged action is there in order; one more may have committed while
            # its answer was lost with the server, never fewer.
            assert done[: len(actions)] == actions, (number, done, actions)
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            status, body = live.request(
                server.port, "GET", f"/api/v1/cases/{number}", headers=headers
            )
            detail = json.loads(body)
            expected = info[burst.kinds[number]]["materials"]
            assert sorted(m["material"] for m in detail["materials"]) == sorted(expected)
        # The server takes writes again after the crash.
        status, _ = live.request(
            server.port,
            "POST",
            "/api/v1/cases",
            case_body(info, "immediate"),
            headers=headers,
        )
        assert status == 201

    # Nothing half-written anywhere, including cases whose answer never arrived.
    with sqlite3.connect(db) as con:
        no_events = con.execute(
            "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id)"
        ).fetchone()[0]
        no_materials = con.execute(
            "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM cases_casematerial m WHERE m.case_id = c.id)"
        ).fetchone()[0]
        stored = con.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    assert (no_events, no_materials) == (0, 0)
    assert stored >= len(burst.acked) + 1
    out = live.bianmin("audit", "verify", env=env, timeout=120)
    assert "OK" in out


def _fault_env(tmp_path, **extra):
    """A test county whose token was issued before the fault, so requests get as far as a write."""
    env, info = live.served_copy(tmp_path)
    with live.Server(env, workers=1, log=tmp_path / "gunicorn.log") as server:
        headers = live.token(server.port, "t01-staff", PASSWORD)
    env.update(extra)
    return env, info, headers


def _login_post(port: int) -> tuple[int, str]:
    """The staff login form, through CSRF, as a browser posts it."""
    import http.client
    import re

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    from urllib.parse import urlencode

    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode(
            {"csrfmiddlewaretoken": csrf, "username": "t01-staff", "password": PASSWORD}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    resp = conn.getresponse()
    return resp.status, resp.read().decode()


def _assert_clear_503(status: int, body: bytes | str, code: str, words: str) -> None:
    text = body.decode() if isinstance(body, bytes) else body
    assert status == 503, text[:500]
    assert "Traceback" not in text and "OperationalError" not in text
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        assert data["code"] == code and words in data["detail"]
    else:
        assert words in text


def test_read_only_database_answers_503_with_a_message(tmp_path):
    env, info, headers = _fault_env(tmp_path, BIANMIN_FAULT_SQLITE="readonly")
    with live.Server(env, workers=1, log=tmp_path / "gunicorn.log") as server:
        status, body = live.request(server.port, "GET", "/api/v1/items?limit=1")
        assert status == 200  # reading still works
        status, body = live.request(
            server.port, "POST", "/api/v1/cases", case_body(info, "immediate"), headers=headers
        )
        _assert_clear_503(status, body, READONLY, "只读")
        status, page = _login_post(server.port)
        _assert_clear_503(status, page, READONLY, "只读")
    log = (tmp_path / "gunicorn.log").read_text()
    assert "database fault db_readonly" in log


def _mount_small_tmpfs(where: Path, size_kib: int) -> bool:
    """A real full disk: a tmpfs of `size_kib`. Needs root and mount rights (not in every CI)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir()
    proc = subprocess.run(  # noqa: S603
        [
            shutil.which("mount"),
            "-t",
            "tmpfs",
            "-o",
            f"size={size_kib}k,mode=0755",
            "tmpfs",
            str(where),
        ],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


@pytest.mark.parametrize("how", ["tmpfs", "page-limit"])
def test_full_disk_answers_503_with_a_message(tmp_path, how):
    template, info = live.testbed_template()
    disk = tmp_path / "disk"
    mounted = False
    try:
        if how == "tmpfs":
            mounted = _mount_small_tmpfs(disk, template.stat().st_size // 1024 + 160)
            if not mounted:
                pytest.skip("no rights to mount a tmpfs here; the page-limit case covers it")
            env, info = live.served_copy(disk)
        else:
            # SQLite's page limit gives the very same SQLITE_FULL error as a full disk.
            env, info = live.served_copy(tmp_path)
            env["BIANMIN_FAULT_SQLITE"] = f"max_pages:{template.stat().st_size // 4096 + 8}"
        with live.Server(env, workers=1, log=tmp_path / "gunicorn.log") as server:
            headers = live.token(server.port, "t01-staff", PASSWORD)
            statuses = []
            for _ in range(400):
                status, body = live.request(
                    server.port,
                    "POST",
                    "/api/v1/cases",
                    case_body(info, "promised"),
                    headers=headers,
                )
                statuses.append(status)
                if status != 201:
                    break
            assert statuses[-1] == 503, f"the disk never filled up: {statuses[-5:]}"
            assert 500 not in statuses
            _assert_clear_503(status, body, DISK_FULL, "存储空间已满")
            # Reading still works on a full disk.
            status, _ = live.request(server.port, "GET", "/api/v1/items?limit=1")
            assert status == 200
        log = (tmp_path / "gunicorn.log").read_text()
        assert "database fault db_disk_full" in log
        # What was acknowledged before the disk filled up is intact.
        out = live.bianmin("audit", "verify", env=env, timeout=120)
        assert "OK" in out
    finally:
        if mounted:
            subprocess.run([shutil.which("umount") or "umount", "-l", str(disk)], check=False)  # noqa: S603
