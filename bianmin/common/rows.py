"""Light rows: plain dataclasses read with `values_list` where building model instances cost
more than the query (issue 8: list rows, the clocks' open cases). They read like the model where
their readers read one."""

from dataclasses import MISSING, fields


class RelatedRows(list):
    """A row's child rows of one relation, read with it: `all()` returns them, as a related
    manager returns its prefetched rows, so code written for the model reads them unchanged."""

    def all(self) -> "RelatedRows":
        return self


def value_columns(row_type) -> tuple[str, ...]:
    """The columns a light row is read from, in order: its init fields without a default (the
    fields with one are looked up after the read)."""
    return tuple(
        f.name
        for f in fields(row_type)
        if f.init and f.default is MISSING and f.default_factory is MISSING
    )
