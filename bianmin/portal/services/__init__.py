"""Writes of the public side, one module per thing: questions, appointments, home visits,
drafts, online applications, lookups. Each function states its rule; anything that changes a
case goes through `bianmin.cases.services`, every status through `portal.workflow`.
"""

from .applications import (
    application_accept,
    application_notice,
    application_submit,
    application_supplement,
    application_supplement_confirm,
    application_unit,
)
from .appointments import (
    APPOINTMENT_DAYS_AHEAD,
    BOOKABLE_KINDS,
    appointment_book,
    appointment_cancel,
    appointment_capacity,
    appointment_reschedule,
)
from .drafts import (
    DRAFT_FIELDS,
    DRAFT_KEEP_DAYS,
    DRAFT_UPLOAD_DIR,
    draft_keep_file,
    draft_save,
    draft_uploads_purge,
)
from .home_visits import home_visit_register, home_visit_request
from .lookups import complaint_file, complaint_lookup, rating_submit, status_verify
from .questions import question_answer, question_ask

__all__ = [
    "APPOINTMENT_DAYS_AHEAD",
    "BOOKABLE_KINDS",
    "DRAFT_FIELDS",
    "DRAFT_KEEP_DAYS",
    "DRAFT_UPLOAD_DIR",
    "application_accept",
    "application_notice",
    "application_submit",
    "application_supplement",
    "application_supplement_confirm",
    "application_unit",
    "appointment_book",
    "appointment_cancel",
    "appointment_capacity",
    "appointment_reschedule",
    "complaint_file",
    "complaint_lookup",
    "draft_keep_file",
    "draft_save",
    "draft_uploads_purge",
    "home_visit_register",
    "home_visit_request",
    "question_answer",
    "question_ask",
    "rating_submit",
    "status_verify",
]
