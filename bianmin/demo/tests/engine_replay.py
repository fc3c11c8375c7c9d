"""Replay a generated case through the real services and compare what each wrote.

`build_cases(trace=...)` keeps, per case, every action with the actor, the moment and the
parameters `case_transition` would be called with. `engine_replay` opens a twin case with
`case_register` (or `case_submit_online`) and applies the same actions at the same moments (the
time is held there by time-machine), then `differences` lists every field in which the twin differs from the
generated case: events (action, states, actor, unit, time, data), the case's dates, deadlines and
units, custody hops, steps, pauses, materials, notices, joint reviews, flags, delivery, ratings.
"""

import datetime as dt

import time_machine
from django.contrib.auth import get_user_model

from bianmin.cases.models import Case
from bianmin.cases.services import case_transition
from bianmin.cases.services.intake import case_register
from bianmin.cases.services.online import case_submit_online
from bianmin.orgs.models import Unit
from bianmin.ratings.services import rating_submit
from bianmin.tests_factories.cases import signature_png

CASE_FIELDS = (
    "state", "case_class", "channel", "resume_state", "applicant_kind", "applicant_name",
    "id_number", "credit_code", "phone", "contact", "address", "intake_unit_id",
    "current_unit_id", "accepting_unit_id", "deciding_unit_id", "region_id",
    "first_responder_id", "agent_id", "entrusted_at", "entrustment_signed", "entrustment_text",
    "submitted_on", "accepted_on", "clock_started_on", "held_since", "deemed_accepted",
    "promised_due", "statutory_due", "proxy_due", "delivery_due", "deadlines_provisional",
    "extended_days", "extension_reason", "approved", "reasons", "decided_on", "concluded_on",
    "closed_on", "certificate_number", "assigned_to_id", "lock_version", "fee_total",
    "created_at", "updated_at",
)  # fmt: skip


def _at(moment: dt.datetime):
    return time_machine.travel(moment.astimezone(dt.UTC), tick=False)


def engine_replay(generated: Case, trace: list) -> Case:
    """A twin of `generated`, made by the services from its trace."""
    users = {u.pk: u for u in get_user_model().objects.select_related("staff__unit")}
    (action, actor_id, when, params), *rest = trace
    version = generated.item_version
    unit = Unit.objects.get(pk=params["unit"])
    names = dict(version.materials.values_list("pk", "name"))
    applicant = {
        "applicant_kind": generated.applicant_kind,
        "applicant_name": generated.applicant_name,
        "id_number": generated.id_number,
        "credit_code": generated.credit_code,
        "phone": generated.phone,
        "contact": generated.contact,
        "address": generated.address,
    }
    with _at(when):
        if generated.channel == "online":
            case = case_submit_online(
                item_version=version,
                unit=unit,
                uploads={m: f"{names[m]}.pdf" for m in params["provided"]},
                **applicant,
            )
        else:
            case = case_register(
                actor=users[actor_id],
                item_version=version,
                channel=generated.channel,
                unit=unit,
                materials=dict.fromkeys(params["provided"], "provided"),
                entrustment_signed=generated.entrustment_signed,
                entrustment_text=generated.entrustment_text,
                **applicant,
            )
    for action, actor_id, when, params in rest:
        if action == "deliver":
            params = {**params, "signature": signature_png()}
        with _at(when):
            case = case_transition(case=case, action=action, actor=users[actor_id], **params)
    for rating in generated.ratings.order_by("rated_at", "pk"):
        extra = {}
        if rating.channel == "online" and rating.named:
            extra["phone_tail"] = generated.phone[-4:]
        with _at(rating.rated_at):
            rating_submit(
                case=case,
                level=rating.level,
                channel=rating.channel,
                indicators=rating.indicators,
                actor=users.get(rating.rated_by_id),
                **extra,
            )
    return Case.all_objects.get(pk=case.pk)


def _rows(case: Case) -> dict:
    number = case.number

    def plain(value):
        if isinstance(value, str):
            return value.replace(number, "#")
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    delivery = getattr(case, "delivery", None)
    return {
        "case": {f: getattr(case, f) for f in CASE_FIELDS},
        "events": [
            (
                e.seq,
                e.action,
                e.from_state,
                e.to_state,
                e.actor_id,
                e.actor_name,
                e.unit_id,
                e.at,
                e.note,
                plain(e.data),
            )
            for e in case.events.order_by("seq")
        ],  # fmt: skip
        "custody": [
            (
                c.from_unit_id,
                c.to_unit_id,
                c.sent_at,
                c.sent_by_id,
                c.received_at,
                c.received_by_id,
                c.originals,
                c.note,
            )
            for c in case.custodies.order_by("sent_at", "pk")
        ],  # fmt: skip
        "steps": list(
            case.steps.order_by("position").values_list(
                "position", "name", "tier", "limit_days", "started_on", "due_on", "finished_on"
            )
        ),
        "pauses": list(
            case.pauses.order_by("started_on", "pk").values_list(
                "kind", "reason", "started_on", "ended_on", "told_days", "note"
            )
        ),
        "materials": list(
            case.materials.order_by("material__position", "pk").values_list(
                "material_id",
                "name",
                "required",
                "status",
                "due_on",
                "commitment",
                "provided_on",
                "pledge_checked",
            )
        ),  # fmt: skip
        "notices": [
            (
                n.number.replace(number, "#"),
                n.issued_on,
                n.issued_at,
                n.issued_by_id,
                n.unit_id,
                n.item_version_id,
                n.materials,
                n.note,
            )
            for n in case.notices.order_by("issued_at", "pk")
        ],  # fmt: skip
        "subreviews": list(
            case.subreviews.order_by("pk").values_list(
                "unit_id", "opinion", "opinion_text", "answered_at", "answered_by_id"
            )
        ),
        "flags": list(
            case.flags.order_by("raised_at", "pk").values_list(
                "kind", "detail", "key", "raised_at", "raised_by_id", "resolved"
            )
        ),
        "delivery": delivery
        and (
            delivery.delivered_at,
            delivery.delivered_by_id,
            delivery.signed_by_name,
            delivery.feedback,
        ),  # fmt: skip
        "ratings": list(
            case.ratings.order_by("rated_at", "pk").values_list(
                "kind",
                "channel",
                "level",
                "indicators",
                "named",
                "unit_id",
                "intake_unit_id",
                "staff_user_id",
                "rated_by_id",
                "rated_at",
            )
        ),  # fmt: skip
    }


def differences(generated: Case, twin: Case) -> list[str]:
    """Where the twin the services made differs from the generated case (empty: nowhere)."""
    a, b = _rows(generated), _rows(twin)
    out = []
    for part in a:
        if part == "case":
            for f in CASE_FIELDS:
                if a["case"][f] != b["case"][f]:
                    out.append(f"case.{f}: generated {a['case'][f]!r}, engine {b['case'][f]!r}")
        elif isinstance(a[part], list):
            if len(a[part]) != len(b[part]):
                out.append(f"{part}: {len(a[part])} generated, {len(b[part])} by the engine")
            for i, (x, y) in enumerate(zip(a[part], b[part], strict=False)):
                if x != y:
                    out.append(f"{part}[{i}]: generated {x!r}, engine {y!r}")
        elif a[part] != b[part]:
            out.append(f"{part}: generated {a[part]!r}, engine {b[part]!r}")
    return [f"{generated.number}: {d}" for d in out]
