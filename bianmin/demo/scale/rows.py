"""The rows of the bulk history and how they reach the database: plain rows with primary keys
handed out in advance, written with batched multi-row INSERTs (the statement `bulk_create`
issues, without building model instances), history timestamps kept as generated."""

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Custody,
    Delivery,
    OneTimeNotice,
    Pause,
    Step,
    SubReview,
    SupervisionFlag,
)
from bianmin.ratings.models import Rating

from .hashing import dumps

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SIGNATURE = "cases/signatures/demo-signature.png"
# A 1x1 white PNG: every bulk delivery points at this one file (the demo has no real signatures).
SIGNATURE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48a0000000049454e44ae426082"
)


def R(**fields) -> SimpleNamespace:
    """A row to insert: attribute names as the model's `attname`s, no model machinery (speed)."""
    return SimpleNamespace(**fields)


@dataclass
class Rows:
    cases: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    custodies: list = field(default_factory=list)
    pauses: list = field(default_factory=list)
    subreviews: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    events: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    ORDER = (
        (Case, "cases"),
        (CaseMaterial, "materials"),
        (OneTimeNotice, "notices"),
        (Custody, "custodies"),
        (Pause, "pauses"),
        (SubReview, "subreviews"),
        (Step, "steps"),
        (Delivery, "deliveries"),
        (CaseEvent, "events"),
        (Rating, "ratings"),
        (SupervisionFlag, "flags"),
    )

    def count(self) -> int:
        return sum(len(getattr(self, name)) for _m, name in self.ORDER)


def first_ids() -> dict:
    """The first free primary key of every table written here."""
    return {m: (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for m, _n in Rows.ORDER}


# Cases per block: each block of the plan has its own random stream and its own key ranges, so
# a block's rows depend on the seed and the block's number only, not on which process plays it.
BLOCK = 1000

# Keys a block may use per table, per case of the block: about three times the mean of a demo
# history (events 9.3 a case, materials 4.1, custody records 2.6, steps 3.8) and above the most
# any one case has (21, 6, 6, 5); the others are at least the most a case can have. A block
# that needed more stops the run (`Ids.take`) rather than reuse a key.
KEYS_PER_CASE = {
    Case: 1,
    CaseMaterial: 16,
    OneTimeNotice: 2,
    Custody: 12,
    Pause: 4,
    SubReview: 4,
    Step: 12,
    Delivery: 1,
    CaseEvent: 32,
    Rating: 2,
    SupervisionFlag: 2,
}


class Ids:
    """Primary keys handed out in advance, so child rows can point at parents before insert.

    Block `b` takes, per table, the `BLOCK * KEYS_PER_CASE` keys from `first + b * that`: blocks
    never collide, and within a block keys rise in the order rows are made, so writing the
    blocks in order appends to every table. Unused keys are left as gaps.
    """

    def __init__(self, first: dict, block: int = 0):
        self.next, self.end = {}, {}
        for model, n in first.items():
            size = BLOCK * KEYS_PER_CASE[model]
            self.next[model] = n + block * size
            self.end[model] = n + (block + 1) * size

    def take(self, model) -> int:
        n = self.next[model]
        if n >= self.end[model]:
            raise OverflowError(f"a block of {BLOCK} cases needs more {model.__name__} keys")
        self.next[model] = n + 1
        return n


@contextmanager
def _explicit_timestamps():
    """bulk_create would stamp auto_now(_add) fields with the present; history needs its own."""
    fields = [
        f
        for model, _n in Rows.ORDER
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


class Inserter:
    """Batched multi-row INSERTs of `R` rows into one model's table.

    The same statement `bulk_create` issues, values adapted as the backend adapts them, without
    building model instances or compiling the statement per batch: at millions of rows that
    compile step alone took most of the run. Per row, the columns are read with one
    `itemgetter` and only the columns that need it are converted; on SQLite, datetimes (always
    UTC-aware here) are written as Django writes them and dates are converted once per date.
    """

    def __init__(self, model, chunk: int = 5000):
        ops, qn = connection.ops, connection.ops.quote_name
        self.chunk = chunk
        fields = list(model._meta.concrete_fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        names = [f.attname for f in fields]
        self.width = len(names)
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.get = itemgetter(*names)
        sqlite = connection.vendor == "sqlite"
        self.convs = []
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if kind == "JSONField" and sqlite and f.encoder is None:
                conv = dumps  # `adapt_json_value` of the SQLite backend (tested equal)
            elif kind == "JSONField":
                conv = lambda v, f=f: ops.adapt_json_value(v, f.encoder)  # noqa: E731
            elif kind == "DateTimeField":
                conv = _sqlite_datetime if sqlite else ops.adapt_datetimefield_value
            elif kind == "DateField":
                conv = _Memo(ops.adapt_datefield_value)
            elif kind == "DecimalField":
                conv = lambda v, f=f: ops.adapt_decimalfield_value(  # noqa: E731
                    v, f.max_digits, f.decimal_places
                )
            elif kind == "FileField":
                conv = str
            else:
                continue
            self.convs.append((i, conv))

        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
        )

    def values(self, row) -> list:
        d = row.__dict__
        if len(d) < self.width:
            d = {**self.defaults, **d}
        out = list(self.get(d))
        for i, conv in self.convs:
            v = out[i]
            if v is not None:
                out[i] = conv(v)
        return out

    def insert(self, values: list) -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: several times faster than INSERT for a bulk load on PostgreSQL.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                for i in range(0, len(values), self.chunk):
                    cursor.executemany(self.sql, values[i : i + self.chunk])
        return len(values)


class Writer:
    """A block's rows as column values (made by the process that generated them: in a worker,
    the conversion runs beside the other worker's, not in the one process writing SQLite), then
    written table by table in `Rows.ORDER`, parents before children."""

    def __init__(self):
        self.inserters = [Inserter(model) for model, _n in Rows.ORDER]

    def convert(self, rows: Rows) -> list[list]:
        return [
            [ins.values(r) for r in getattr(rows, name)]
            for ins, (_m, name) in zip(self.inserters, Rows.ORDER, strict=True)
        ]

    def write(self, blocks: list[list[list]]) -> int:
        """Write the converted `blocks` in one transaction; the number of rows."""
        n = 0
        with transaction.atomic():
            for i, ins in enumerate(self.inserters):
                for tables in blocks:
                    if tables[i]:
                        n += ins.insert(tables[i])
        return n


def _sqlite_datetime(value: dt.datetime) -> str:
    """`DatabaseOperations.adapt_datetimefield_value` of the SQLite backend, for aware values."""
    if value.tzinfo is dt.UTC:
        # The generator's clock is UTC already: its text less the "+00:00" (tested equal).
        return str(value)[:-6]
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


class _Memo(dict):
    """A converter that converts each distinct value once (dates: a few thousand in all)."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv

    def __call__(self, value):
        try:
            return self[value]
        except KeyError:
            out = self[value] = self.conv(value)
            return out


@contextmanager
def _bulk_load(enabled: bool):
    """SQLite: drop the case tables' secondary indexes for the load and recreate them after
    (several times faster than keeping them up to date row by row), and keep the rollback
    journal in memory with no syncs while loading; the file's own settings come back after."""
    if not enabled:
        yield
        return
    tables = [m._meta.db_table for m, _n in Rows.ORDER]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql, tbl_name FROM sqlite_master "
            "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        )
        indexes = [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
        # A larger page cache keeps the remaining (unique) indexes in memory while loading.
        cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
            cursor.execute(f"PRAGMA journal_mode = {journal}")


def _signature_file() -> None:
    path = Path(settings.MEDIA_ROOT) / SIGNATURE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(SIGNATURE_PNG)


def _reset_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids handed out here (SQLite needs nothing)."""
    sql = connection.ops.sequence_reset_sql(no_style(), [m for m, _n in Rows.ORDER])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
