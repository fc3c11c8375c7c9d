"""The viewer's queues (each list queue's case ids), kept a few seconds between requests
(issue 17).

Reading a viewer's queues reads every unfinished case they may see, their open pauses and the
joint reviews pending, and colours each clock: at a real county's pace (about 500,000 cases a
year, ~1,000 unfinished seen by a township window) that is 60-100 ms, and the queue page, the
queue API, the staff home and the queue lists ask for it on most staff requests.

So the answer (case ids only, cheap to read back) is kept in the "queues" cache (a directory the
workers of one host share) for `BIANMIN_QUEUE_CACHE_SECONDS` (default 30; 0 turns it off), under a
key holding the database, the viewer, the scope, the day and a stamp per unit the viewer works at.
Every change to a case writes an event (`services.events.event_record`); when that transaction
commits, the stamps of the units the case is at, was taken in, accepted and decided at, was held by
before, and of the actor's unit move on. So whatever happens to a case one of the viewer's own units
holds, took in or reviews shows at once, for them and their colleagues; only a case they see by
region alone (held by another unit) can show its old state, for at most the seconds above.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from bianmin.common.cache_keys import cache_key

ALIAS = "queues"


def seconds() -> int:
    return int(getattr(settings, "BIANMIN_QUEUE_CACHE_SECONDS", 30))


def _stamp_key(unit_id: int) -> str:
    return cache_key("unit", unit_id)


def kept(*, viewer, scope, today, compute):
    """`compute()` (the viewer's queue memberships), or what it gave for the same viewer, scope,
    day and unit stamps less than `seconds()` ago."""
    ttl = seconds()
    if ttl <= 0:
        return compute()
    cache = caches[ALIAS]
    home = sorted(scope.home_unit_ids)
    stamp_keys = [_stamp_key(u) for u in home]
    stamps = cache.get_many(stamp_keys)
    key = cache_key(
        "queues",
        viewer.pk,
        viewer.is_superuser,
        scope.signature,
        home,
        today.isoformat(),
        [stamps.get(k, 0) for k in stamp_keys],
    )
    found = cache.get(key)
    if found is not None:
        return found
    result = compute()
    cache.set(key, result, ttl)
    return result


def _units_of(case) -> set[int]:
    return {
        case.current_unit_id,
        case.intake_unit_id,
        case.accepting_unit_id,
        case.deciding_unit_id,
    }


def case_changed(case, actor_unit_id: int | None) -> None:
    """Move on, when the current transaction commits, the stamps of every unit whose queues the
    change may alter: the units on the case now and when the change began, the actor's unit, and
    the units asked for a joint review opinion."""
    if seconds() <= 0:
        return
    from .models import State, SubReview

    before = _units_of(case) | {actor_unit_id}

    def bump() -> None:
        ids = before | _units_of(case)
        if case.state == State.JOINT_REVIEW:
            ids |= set(SubReview.objects.filter(case=case).values_list("unit_id", flat=True))
        now = time.time_ns()
        # The stamps outlive the rows they key: an evicted stamp reads as 0 again, and rows kept
        # under an old stamp are gone by the rows' own expiry at the latest.
        caches[ALIAS].set_many({_stamp_key(u): now for u in ids if u}, 86400)

    transaction.on_commit(bump)
