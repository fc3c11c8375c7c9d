"""CPU per request for each page of the HTTP mix, in-process (no nginx, no gunicorn, no wrk).

    DATABASE_URL=sqlite:////tmp/perf/bench.sqlite3 BIANMIN_VAR_DIR=/tmp/perf/var \\
        python bench/http/prepare.py /tmp/perf/mix.json 3000
    DATABASE_URL=... BIANMIN_VAR_DIR=... python bench/http/cpu_per_request.py /tmp/perf/mix.json [N]

Builds the mix of bench/bench_http.py from prepare.py's inputs (same accounts, cases, items and
weights), then per kind of request: a warm-up (each distinct request once), then N requests (default 200) through Django's
test Client with `time.process_time()` around them, and one pass counting the queries of each
request. Prints a table: CPU ms per request, queries per request, and the mix's weighted average.
Process time is this process's CPU (the work a gunicorn worker does for the request, SQLite
included), not wall time: it says how many requests a core can serve, whatever else runs on the
machine. Asserts nothing; a request answering other than 200 stops it (the figures would lie).
"""

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bianmin.settings")
# The prepared sessions are password sessions: the second factor is not what is measured.
os.environ.setdefault("BIANMIN_REQUIRE_2FA", "0")

import json  # noqa: E402

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.bench_http import WEIGHTS, mix_lines  # noqa: E402

KINDS = {
    "page_queue": ("staff queue page /cases/queues/", r"^/cases/queues/$"),
    "page_case": ("case page /cases/<n>/", r"^/cases/[^/]+/$"),
    "api_queue": ("API queues /api/v1/cases/queues", r"^/api/v1/cases/queues$"),
    "api_list": ("API case list /api/v1/cases", r"^/api/v1/cases\?"),
    "api_case": ("API case /api/v1/cases/<n>", r"^/api/v1/cases/[^/?]+$"),
    "public_status": ("public status lookup (API)", r"^/api/v1/public/cases/"),
    "guide_list": ("guide list /guides/", r"^/guides/(\?.*)?$"),
    "guide_page": ("guide page /guides/<code>/", r"^/guides/[^/]+/$"),
    "item_list": ("item API list /api/v1/items", r"^/api/v1/items\?"),
    "item_api": ("item API /api/v1/items/<code>", r"^/api/v1/items/"),
}


def kind_of(path: str) -> str:
    for kind, (_label, pattern) in KINDS.items():
        if re.match(pattern, path):
            return kind
    raise SystemExit(f"no kind for {path}")


def requests_by_kind(data: dict) -> dict[str, list[tuple[str, dict]]]:
    out: dict[str, list[tuple[str, dict]]] = {k: [] for k in KINDS}
    for line in mix_lines(data):
        _method, path, *header = line.split("\t")
        headers = {header[0]: header[1]} if header else {}
        out[kind_of(path)].append((path, headers))
    return out


def get(client: Client, path: str, headers: dict) -> None:
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text())
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rows = []
    for kind, reqs in requests_by_kind(data).items():
        # A client per kind: a staff answer's session cookie must not make the public requests
        # signed-in ones (each staff request names its own session or token in its headers).
        client = Client()
        picked = [reqs[i % len(reqs)] for i in range(n)]
        # Warm-up: each distinct request once (templates, translations, and the public cache,
        # which in service is warm: it lives until the next publication).
        for path, headers in {(p, tuple(h.items())): (p, h) for p, h in picked}.values():
            get(client, path, headers)
        started = time.process_time()
        for path, headers in picked:
            get(client, path, headers)
        cpu_ms = (time.process_time() - started) * 1000 / n
        sample = picked[: min(n, 50)]
        with CaptureQueriesContext(connection) as queries:
            for path, headers in sample:
                get(client, path, headers)
        rows.append((kind, cpu_ms, len(queries) / len(sample)))
        print(f"  {KINDS[kind][0]:<40} {cpu_ms:8.1f} ms", file=sys.stderr, flush=True)
    total = sum(WEIGHTS.values())
    print(f"\n{'request':<40} {'weight':>6} {'CPU ms':>8} {'queries':>8}")
    for kind, cpu_ms, q in rows:
        print(f"{KINDS[kind][0]:<40} {WEIGHTS[kind]:>6} {cpu_ms:8.1f} {q:8.1f}")
    mix = sum(WEIGHTS[k] * ms for k, ms, _q in rows) / total
    mix_q = sum(WEIGHTS[k] * q for k, _ms, q in rows) / total
    print(f"{'mix (weighted average)':<40} {total:>6} {mix:8.1f} {mix_q:8.1f}")
    print(f"\n{n} requests per kind, {data['total_cases']:,} cases, {connection.vendor}")


if __name__ == "__main__":
    main()
