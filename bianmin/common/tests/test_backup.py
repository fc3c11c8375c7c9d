"""`bianmin backup` / `bianmin restore` (issue 8, item 1).

SQLite: a consistent single file while writers go on, checked on a bare database and on the real
app under load; restore refuses a non-empty database without --force. PostgreSQL (only when
DATABASE_URL points to one): pg_dump -Fc and pg_restore round trip of the test database.
"""

import sqlite3
import subprocess
import threading
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bianmin.conftest import PASSWORD
from bianmin.ops.backup import BackupError, sqlite_backup, sqlite_restore
from testing import liveserver as live
from testing.marks import own_sqlite_file

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _wal_db(path):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, number TEXT)")
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INTEGER, seq INTEGER)")
    return con


def _counts(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (
            con.execute("SELECT count(*) FROM cases").fetchone()[0],
            con.execute("SELECT count(*) FROM events").fetchone()[0],
        )
    finally:
        con.close()


def test_sqlite_backup_is_one_consistent_file_while_a_writer_goes_on(tmp_path):
    db = tmp_path / "live.sqlite3"
    _wal_db(db).close()
    stop = threading.Event()
    written = []

    def writer():
        con = sqlite3.connect(db, isolation_level=None, timeout=30)
        n = 0
        while not stop.is_set():
            # One case and its three events per transaction: a backup sees all four or none.
            con.execute("BEGIN IMMEDIATE")
            cur = con.execute("INSERT INTO cases (number) VALUES (?)", (f"N{n}",))
            con.executemany(
                "INSERT INTO events (case_id, seq) VALUES (?, ?)",
                [(cur.lastrowid, s) for s in (1, 2, 3)],
            )
            con.execute("COMMIT")
            n += 1
            written.append(n)
        con.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = []
        for i in range(5):
            time.sleep(0.15)
            dest = tmp_path / f"backup-{i}.sqlite3"
            sqlite_backup(source=db, dest=dest)
            cases, events = _counts(dest)
            assert events == 3 * cases
            seen.append(cases)
            # One self-contained file: rollback journal mode, nothing left beside it.
            assert dest.read_bytes()[:16] == b"SQLite format 3\x00"
            assert not (tmp_path / f"backup-{i}.sqlite3-wal").exists()
            assert not list(tmp_path.glob(f".backup-{i}*partial"))
    finally:
        stop.set()
        thread.join()
    assert seen == sorted(seen) and seen[-1] > 0 and len(written) > seen[-1] // 2


def test_restore_refuses_a_non_empty_database_without_force(tmp_path):
    source = tmp_path / "a.sqlite3"
    con = _wal_db(source)
    con.execute("INSERT INTO cases (number) VALUES ('FROM-BACKUP')")
    con.close()
    backup = tmp_path / "a.bak"
    sqlite_backup(source=source, dest=backup)

    fresh = tmp_path / "new" / "db.sqlite3"
    sqlite_restore(backup=backup, target=fresh)
    assert _counts(fresh) == (1, 0)

    other = tmp_path / "other.sqlite3"
    con = _wal_db(other)
    con.execute("INSERT INTO cases (number) VALUES ('KEEP'), ('KEEP2')")
    con.close()
    with pytest.raises(BackupError, match="--force"):
        sqlite_restore(backup=backup, target=other)
    assert _counts(other) == (2, 0)
    sqlite_restore(backup=backup, target=other, force=True)
    con = sqlite3.connect(other)
    assert con.execute("SELECT number FROM cases").fetchall() == [("FROM-BACKUP",)]
    con.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    with pytest.raises(BackupError, match="不是 SQLite"):
        sqlite_restore(backup=junk, target=tmp_path / "db.sqlite3")
    with pytest.raises(BackupError, match="不存在"):
        sqlite_restore(backup=tmp_path / "missing.bak", target=tmp_path / "db.sqlite3")
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.slow
@own_sqlite_file
def test_backup_and_restore_commands_on_the_app_under_load(tmp_path):
    """`bianmin backup` while gunicorn takes case writes; the copy restores and verifies."""
    served = tmp_path / "served"
    env, info = live.served_copy(served)
    backup = tmp_path / "bianmin-backup.sqlite3"
    with live.Server(env, workers=2, log=tmp_path / "gunicorn.log") as server:
        headers = live.token(server.port, "t01-staff", PASSWORD)
        with live.Burst(server.port, headers, info, threads=4) as burst:
            while burst.writes() < 10:
                time.sleep(0.05)
            out = live.bianmin("backup", str(backup), env=env)
            assert "backed up (sqlite)" in out
            at_backup = burst.writes()
        assert burst.refused == []
        assert burst.writes() > at_backup, "the writes went on while the backup ran"

    restored = tmp_path / "restored"
    restored.mkdir()
    renv = live.app_env(restored)
    out = live.bianmin("restore", str(backup), env=renv)
    assert "restored (sqlite)" in out
    assert "OK" in live.bianmin("audit", "verify", env=renv)
    with sqlite3.connect(restored / "db.sqlite3") as con:
        in_backup = {r[0] for r in con.execute("SELECT number FROM cases_case")}
        events = con.execute(
            "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id)"
        ).fetchone()[0]
    with sqlite3.connect(served / "db.sqlite3") as con:
        in_live = {r[0] for r in con.execute("SELECT number FROM cases_case")}
    assert in_backup and in_backup <= in_live and len(in_backup) < len(in_live)
    assert events == 0

    # A second restore over the now populated database must be asked for.
    proc = subprocess.run(  # noqa: S603
        [str(live.BIN / "bianmin"), "restore", str(backup)],
        env=renv,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "--force" in proc.stderr and "Traceback" not in proc.stderr
    assert "restored" in live.bianmin("restore", str(backup), "--force", env=renv)


@pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL pointing to PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgres_dump_and_restore_round_trip(county, tmp_path, capsys):
    from bianmin.orgs import services as org
    from bianmin.orgs.models import Region

    dump = tmp_path / "bianmin.dump"
    call_command("backup", str(dump))
    assert dump.read_bytes()[:5] == b"PGDMP"
    assert "backed up (postgresql)" in capsys.readouterr().out

    org.region_create(code="610702102000", name="后加镇", parent=county.county)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(dump))
    assert Region.objects.filter(name="后加镇").exists()

    call_command("restore", str(dump), "--force")
    assert not Region.objects.filter(name="后加镇").exists()
    assert Region.objects.filter(name="武乡镇").exists()
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="t01-staff").check_password(PASSWORD)


@pytest.mark.skipif(ON_POSTGRES, reason="the PostgreSQL test covers the command there")
@pytest.mark.django_db
def test_backup_command_copies_the_sqlite_database_it_runs_on(county, tmp_path, capsys):
    dest = tmp_path / "test-db.bak"
    call_command("backup", str(dest))
    assert "backed up (sqlite)" in capsys.readouterr().out
    con = sqlite3.connect(dest)
    try:
        names = {r[0] for r in con.execute("SELECT username FROM auth_user")}
        regions = con.execute("SELECT count(*) FROM orgs_region").fetchone()[0]
    finally:
        con.close()
    assert {"t01-staff", "v0101-agent", "supervisor"} <= names and regions == 7
    with pytest.raises(CommandError, match="不是 SQLite"):
        junk = tmp_path / "junk.bak"
        junk.write_bytes(b"PGDMP not for sqlite")
        call_command("restore", str(junk))
