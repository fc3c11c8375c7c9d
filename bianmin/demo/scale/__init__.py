"""Bulk case history for the demo county (and city): `bianmin seed-demo --scale county|city`.

Hundreds of thousands of cases cannot go through `case_register` and `case_transition` one call
at a time in minutes, so this package replays the same workflow in memory and writes the rows
in batches (`rows.Inserter`, the statement `bulk_create` issues). What it writes is what the services would have written for the same
sequence of actions:

- every state change follows a row of `bianmin.cases.workflow.TABLE`, taken by a user whose role
  and unit that row allows, and writes the event the engine writes (same action, states and
  data), hash-chained as `bianmin.cases.chain.event_hash` chains them (the same text, put
  together faster by `hashing` and tested equal, under the configured `BIANMIN_CHAIN_HASH`), with the case row's tail set to its last event, so `bianmin audit verify`
  holds (tested: generated cases replayed through `case_transition` give the same rows);
- the route is computed by `bianmin.cases.routing` (RULES.md "The route of a proxied case"): the station
  takes in, the township centre accepts or relays, forward-accepted county items are referred
  up, county items the township does not accept go to the item's county window or the deciding
  department, and the result comes back through the township centre; every hop is a custody
  record (originals travelling where the item's materials ask for them), `held_since` moves with
  each hop;
- dates agree with the state (accepted_on from acceptance on, decided_on, concluded_on, closed_on);
  the deciding unit's clock starts at its own acceptance or its receipt of the case accepted
  below it (`clock_started_on`), the proxy deadline runs from take-in; deadlines, step due dates
  and the late-referral flag are computed by the engine's own functions
  (`deadlines.deadlines_set`, `effects.base.steps_advance`, `effects.intake.late_forward`) on
  the working-day calendar (`calendar.add_workdays` on one snapshot, repeated questions
  answered once: `workdays.Workdays`);
- identifiers carry the check characters of `bianmin.common.validators`;
- nothing happens after `until` (default today): a case submitted last week is still open, in
  whatever state its planned history had reached by then.

The plan (submission days, counties) is drawn from one generator seeded with the seed, and
each block of 1,000 cases from its own (`blocks.Stream`), with its own key ranges: the same
seed and the same `until` give the same data, however many processes (`--workers`) play the
blocks. Supervision alerts are not generated (the sweep makes them); only
the flags a transition raises itself (a false pledge, a late referral) are written with it.
"""

from .county import load_counties
from .run import ScaleResult, build_cases

__all__ = ["ScaleResult", "build_cases", "load_counties"]
