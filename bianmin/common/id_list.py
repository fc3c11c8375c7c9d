"""A list of ids as one query parameter, for `pk__in=IdList(ids)`: SQLite allows at most 32,766
parameters a statement and PostgreSQL's planner pays for each literal, while a set worked out
once (which cases a unit sees, say) is read by several queries."""

import json
from collections.abc import Iterable

from django.db.models import BigIntegerField, Expression


class IdList(Expression):
    """The ids as a one-column subquery: SQLite's json_each, PostgreSQL's unnest of an array."""

    def __init__(self, ids: Iterable[int]):
        super().__init__(output_field=BigIntegerField())
        self.ids = [int(i) for i in ids]

    def __len__(self) -> int:
        return len(self.ids)

    def as_sql(self, compiler, connection):
        if connection.vendor == "postgresql":
            return "(SELECT unnest(%s::bigint[]))", [self.ids]
        return "(SELECT value FROM json_each(%s))", [json.dumps(self.ids)]
