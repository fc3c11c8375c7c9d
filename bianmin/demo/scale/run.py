"""The run: submission days and counties drawn first, then the plan played in blocks of `BLOCK`
cases, each block from its own random stream with its own keys, in one process or several."""

import datetime as dt
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from bianmin.cases.actors import ONLINE_APPLICANT_NAME
from bianmin.cases.chain import chain_algorithm
from bianmin.orgs.models import Staff

from .blocks import Run, play_block
from .county import Person, VersionRef, load_counties
from .rows import (
    BLOCK,
    TZ,
    Writer,
    _bulk_load,
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
    def __init__(self, *, seed: int, until: dt.date, years: float, trace: dict | None = None):
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
        if years == int(years):
            self.first = until.replace(year=until.year - int(years)) + dt.timedelta(days=1)
        else:
            # A part of a year (issue 17: 200,000 cases as the five months of a real county).
            self.first = until - dt.timedelta(days=round(years * 365.25) - 1)
        self.wd = Workdays(self.first - dt.timedelta(days=7), until + dt.timedelta(days=800))
        self.seed = seed
        self.staff_pk = dict(Staff.objects.values_list("user_id", "pk"))
        self.chain_hash = chain_algorithm()
        self._weights: dict[int, tuple] = {}
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


def build_cases(
    *,
    seed: int,
    cases: int,
    until: dt.date | None = None,
    years: float = 3,
    batch: int = 5000,
    progress=None,
    defer_indexes: bool | None = None,
    workers: int = 1,
    trace: dict | None = None,
) -> ScaleResult:
    """Generate `cases` cases over the `years` years up to `until` across every county present.

    The submission days and each case's county are drawn first; the plan is then played in
    blocks of `BLOCK` cases, each from its own random stream (`Stream`) with its own primary
    keys (`Ids`), so the data depend on the seed and `until` only, not on how the blocks are
    shared out between processes. Rows are written about `batch` cases to a transaction.

    `workers` > 1 forks that many processes (Linux), each playing every `workers`-th block. On
    SQLite they hand their rows to this process, which writes them in block order (one writer
    is all SQLite allows); on PostgreSQL each COPYs its own blocks over its own connection,
    which needs the run outside any transaction. `defer_indexes` (default: on SQLite, outside a
    transaction, from 50,000 cases on): load without the secondary indexes of the case tables
    and with the rollback journal in memory, build the indexes again at the end
    (`rows._bulk_load`). The indexes are rebuilt even when the load fails; only a killed
    process leaves them missing (re-seed a fresh file).
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
    days = gen.days(cases)
    plan = [(day, gen.rng.randrange(len(counties))) for day in days]
    _signature_file()
    sqlite = connection.vendor == "sqlite"
    if defer_indexes is None:
        defer_indexes = cases >= 50_000 and sqlite and not connection.in_atomic_block
    blocks = -(-len(plan) // BLOCK)
    workers = max(1, min(workers, blocks))
    if workers > 1 and trace is not None:
        raise ValueError("trace is kept in one process only (workers=1)")
    if workers > 1 and not sqlite and connection.in_atomic_block:
        raise ValueError("workers > 1 on PostgreSQL cannot run inside a transaction")
    run = Run(gen, counties, plan, first, batch, progress)
    with _explicit_timestamps(), _bulk_load(defer_indexes):
        writer = Writer()
        if workers == 1:
            played = (play_block(gen, counties, plan, b, first, writer) for b in range(blocks))
            result = run.write(played, writer)
        else:
            result = run.in_processes(workers, writer)
    _reset_sequences()
    if connection.vendor == "postgresql":
        # Bulk inserts leave PostgreSQL planning from stale statistics (a case page's reads of
        # hops and pauses took seconds per case in the tests); ANALYZE works inside a transaction.
        # Outside one, VACUUM as well (14 s at 1.5 million cases): it marks the copied pages
        # all-visible, so index-only scans skip the heap and autovacuum has nothing left to do
        # when the first users arrive.
        tables = (
            "cases_case, cases_casematerial, cases_custody, cases_pause, cases_step, "
            "cases_caseevent, cases_subreview, cases_onetimenotice, ratings_rating"
        )
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}")
    result.seconds = time.monotonic() - started
    return result
