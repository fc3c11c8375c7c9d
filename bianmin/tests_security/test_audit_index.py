"""scripts/audit-index.py against a stand-in index on the loopback: a vulnerable package at its
latest release fails the audit, a package at an older release is "not audited", never clean."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "audit-index.py"

PROJECTS = {
    "oldlib": {
        "info": {"version": "2.0"},
        "vulnerabilities": [
            {"id": "PYSEC-0000-1", "fixed_in": [], "aliases": ["CVE-0000-1"], "withdrawn": None},
            {"id": "PYSEC-0000-2", "fixed_in": ["1.0"], "withdrawn": "2025-01-01T00:00:00"},
        ],
    },
    "newlib": {"info": {"version": "3.1"}, "vulnerabilities": []},
}


class Index(BaseHTTPRequestHandler):
    def do_GET(self):
        name = self.path.strip("/").split("/")[0]
        if name not in PROJECTS or not self.path.endswith("/json"):
            self.send_error(404)
            return
        body = json.dumps(PROJECTS[name]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def index():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def audit():
    spec = importlib.util.spec_from_file_location("audit_index", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(audit, monkeypatch, index, capsys, packages):
    monkeypatch.setattr(audit, "installed", lambda only: packages)
    status = audit.main(["--index", index])
    return status, capsys.readouterr().out


def test_vulnerable_latest_release_fails(audit, index, monkeypatch, capsys):
    status, out = _run(audit, monkeypatch, index, capsys, {"oldlib": "2.0", "newlib": "3.1"})
    assert status == 1
    assert "oldlib 2.0: PYSEC-0000-1" in out
    assert "PYSEC-0000-2" not in out  # withdrawn advisories do not count


def test_older_release_is_not_audited_rather_than_clean(audit, index, monkeypatch, capsys):
    status, out = _run(audit, monkeypatch, index, capsys, {"oldlib": "1.5", "newlib": "3.1"})
    assert status == 0
    assert "no known vulnerabilities in 1 packages (1 not audited)" in out
    assert (
        "not audited: oldlib 1.5 (index has advisory data for the latest release 2.0 only)" in out
    )


def test_unreachable_index_is_said_so(audit, index, monkeypatch, capsys):
    status, out = _run(audit, monkeypatch, index, capsys, {"nosuch": "1.0"})
    assert status == 0
    assert "advisory source unreachable" in out and "not audited: nosuch 1.0" in out
