"""The run: submission days and counties drawn first, then each county's cases played from its
own random stream and written in batches, in one process or several."""

import datetime as dt
import random
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bianmin.cases.actors import ONLINE_APPLICANT_NAME
from bianmin.cases.chain import chain_algorithm
from bianmin.orgs.models import Staff

from ..names import NameSource
from .county import Person, VersionRef, load_counties
from .replay import Replay
from .rows import (
    TZ,
    Ids,
    Inserter,
    Rows,
    _deferred_indexes,
    _explicit_timestamps,
    _reset_sequences,
    _signature_file,
    first_ids,
)
from .workdays import Workdays


@dataclass
class ScaleResult:
    cases: int = 0
    rows: int = 0
    seconds: float = 0.0
    states: dict = field(default_factory=dict)


class Generator:
    def __init__(self, *, seed: int, until: dt.date, years: int, trace: dict | None = None):
        self.rng = random.Random(f"{seed}:cases")
        # case id -> [(action, actor user id, time, parameters)]: what the engine would be called
        # with to write the same history (the tests replay cases through it); None: not kept.
        self.trace = trace
        # The applicant acting online (`cases.actors.ApplicantActor`): no account, no unit.
        self.applicant = Person(None, str(ONLINE_APPLICANT_NAME), None, handler=False)
        self.until = until
        # Nothing is dated in the future, not even later today.
        self.now = min(
            timezone.now(), dt.datetime.combine(until, dt.time(23, 59), TZ).astimezone(dt.UTC)
        )
        self.first = until.replace(year=until.year - years) + dt.timedelta(days=1)
        self.wd = Workdays(self.first - dt.timedelta(days=7), until + dt.timedelta(days=800))
        self.seed = seed
        self.staff_pk = dict(Staff.objects.values_list("user_id", "pk"))
        self.chain_hash = chain_algorithm()
        self.rows = Rows()
        self._weights: dict[int, tuple] = {}
        self.inserters: dict = {}
        self._midnights: dict[dt.date, dt.datetime] = {}

    def midnight_utc(self, day: dt.date) -> dt.datetime:
        """The end of local `day` in UTC, memoised (a few thousand days serve millions of events)."""
        end = self._midnights.get(day)
        if end is None:
            local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), TZ)
            end = self._midnights[day] = local.astimezone(dt.UTC)
        return end

    def pick(self, versions: list[VersionRef], rng: random.Random) -> VersionRef:
        key = id(versions)
        if key not in self._weights or self._weights[key][0] is not versions:
            cum, total = [], 0.0
            for v in versions:
                total += v.weight
                cum.append(total)
            self._weights[key] = (versions, cum, total)
        _v, cum, total = self._weights[key]
        return versions[min(bisect_right(cum, rng.random() * total), len(versions) - 1)]

    def days(self, n: int) -> list[dt.date]:
        """`n` submission days over the period, more recent ones busier (volume grows ~30%/yr)."""
        first = self.wd.on_or_after(self.first)
        lo = bisect_right(self.wd.ordinals, first.toordinal() - 1)
        hi = bisect_right(self.wd.ordinals, self.until.toordinal())
        span = hi - lo
        out = []
        for _i in range(n):
            # Inverse of a linear density rising from 1 to 1.9 over the span.
            u = self.rng.random()
            a = 0.9
            x = ((1 + 2 * a * u * (1 + a / 2)) ** 0.5 - 1) / a
            out.append(self.wd.days[lo + min(span - 1, int(x * span))])
        out.sort()
        return out

    def flush(self) -> int:
        n = 0
        with transaction.atomic():
            for model, name in Rows.ORDER:
                objs = getattr(self.rows, name)
                if objs:
                    n += self.inserters.setdefault(model, Inserter(model)).insert(objs)
        self.rows = Rows()
        return n


def build_cases(
    *,
    seed: int,
    cases: int,
    until: dt.date | None = None,
    years: int = 3,
    batch: int = 5000,
    progress=None,
    defer_indexes: bool | None = None,
    workers: int = 1,
    trace: dict | None = None,
) -> ScaleResult:
    """Generate `cases` cases over the `years` years up to `until` across every county present.

    The submission days and each case's county are drawn first; then every county plays its
    cases from its own random stream with its own primary keys (`Ids`), so the data depend on
    the seed and `until` only, not on how the counties are shared out between processes.

    `workers` > 1 forks that many processes (Linux), each generating and inserting a share of the
    counties; it needs a database other processes can open (a file or PostgreSQL, outside any
    transaction). `defer_indexes` (default: on SQLite, outside a transaction, from 50,000 cases
    on): drop the secondary indexes of the case tables for the load and build them again at the
    end, several times faster than keeping them up to date row by row. The indexes are rebuilt
    even when the load fails; only a killed process leaves them missing (re-seed a fresh file).
    `trace` (a dict, filled in place): each case's actions with the parameters the engine would
    be called with, for the tests that replay generated cases through `case_transition`.
    """
    started = time.monotonic()
    until = until or timezone.localdate()
    gen = Generator(seed=seed, until=until, years=years, trace=trace)
    counties = load_counties(gen.rng)
    if not counties:
        raise ValueError("no county with stations, townships and published items")
    first = first_ids()
    for k, c in enumerate(counties):
        c.rng = random.Random(f"{seed}:cases:{c.code}")
        c.names = NameSource(random.Random(f"{seed}:applicants:{c.code}"))
        c.ids = Ids(first, offset=k, stride=len(counties))
    days = gen.days(cases)
    plan = [(day, gen.rng.randrange(len(counties))) for day in days]
    _signature_file()
    if defer_indexes is None:
        defer_indexes = (
            cases >= 50_000 and connection.vendor == "sqlite" and not connection.in_atomic_block
        )
    workers = max(1, min(workers, len(counties)))
    with _explicit_timestamps(), _deferred_indexes(defer_indexes):
        if workers == 1:
            result = _play(gen, counties, plan, set(range(len(counties))), batch, progress)
        else:
            result = _play_in_processes(gen, counties, plan, workers, batch, progress)
    _reset_sequences()
    if connection.vendor == "postgresql":
        # Bulk inserts leave PostgreSQL planning from stale statistics (a case page's reads of
        # hops and pauses took seconds per case in the tests); ANALYZE works inside a transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE cases_case, cases_casematerial, cases_custody, cases_pause, cases_step, "
                "cases_caseevent, cases_subreview, cases_onetimenotice, ratings_rating"
            )
    result.seconds = time.monotonic() - started
    return result


def _play(gen, counties, plan, mine: set, batch: int, progress) -> ScaleResult:
    """Play the cases of the counties numbered in `mine`, inserting every `batch` cases."""
    started = time.monotonic()
    result = ScaleResult()
    states: dict[str, int] = defaultdict(int)
    total = len(plan)
    for i, (day, k) in enumerate(plan, start=1):
        if k not in mine:
            continue
        case = Replay(gen, counties[k], i).play(day)
        if case is not None:
            result.cases += 1
            states[case.state] += 1
        if len(gen.rows.cases) >= batch:  # pragma: no branch
            result.rows += gen.flush()
            if progress:
                progress(i, total, time.monotonic() - started)
    result.rows += gen.flush()
    result.states = dict(states)
    return result


def _play_in_processes(gen, counties, plan, workers: int, batch: int, progress) -> ScaleResult:
    """Fork `workers` processes, each playing every `workers`-th county on its own connection."""
    import multiprocessing
    import traceback
    from queue import Empty

    from django.db import connections

    if connection.in_atomic_block:
        raise ValueError("workers > 1 cannot run inside a transaction")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child(w: int) -> None:
        try:
            # A forked child must not share the parent's connection; a long wait for the other
            # writer's lock (SQLite) is expected, not an error.
            connections.close_all()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 600000")
                    cursor.execute("PRAGMA cache_size = -131072")
            mine = {k for k in range(len(counties)) if k % workers == w}
            queue.put((w, _play(gen, counties, plan, mine, batch, progress if w == 0 else None)))
        except BaseException:
            queue.put((w, traceback.format_exc()))
        finally:
            connections.close_all()

    connections.close_all()
    procs = [ctx.Process(target=child, args=(w,), daemon=True) for w in range(workers)]
    for proc in procs:
        proc.start()
    answers: dict = {}
    while len(answers) < workers:
        try:
            w, answer = queue.get(timeout=5)
            answers[w] = answer
        except Empty:
            # A child killed from outside never answers: stop waiting for it.
            for w, proc in enumerate(procs):
                if w not in answers and proc.exitcode not in (None, 0):
                    answers[w] = f"worker {w} exited with code {proc.exitcode}"
    for proc in procs:
        proc.join()
    failed = [a for a in answers.values() if isinstance(a, str)]
    if failed:
        raise RuntimeError("case generation failed in a worker process:\n" + failed[0])
    result = ScaleResult()
    states: dict[str, int] = defaultdict(int)
    for part in answers.values():
        result.cases += part.cases
        result.rows += part.rows
        for state, n in part.states.items():
            states[state] += n
    result.states = dict(states)
    return result
