"""Consultation questions (咨询): asked by anyone about an item, answered by its unit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.scope import scope_for

from ..models import Question
from .base import phone_or_blank


@transaction.atomic
def question_ask(
    *,
    item_version: ItemVersion,
    question: str,
    asker_name: str = "",
    phone: str = "",
    public_allowed: bool = False,
) -> Question:
    """A consultation question about an item, routed to the item's implementing unit, which
    answers it; the answer is shown publicly only if the asker allowed it (issue 5 item 7)."""
    text = (question or "").strip()
    if len(text) < 5:
        raise ValidationFailed(_("请把问题写清楚（至少5个字）"), field="question")
    if len(text) > 1000:
        raise ValidationFailed(_("问题不能超过1000字"), field="question")
    return Question.objects.create(
        item=item_version.item,
        unit=item_version.implementing_unit,
        question=text,
        asker_name=(asker_name or "").strip()[:50],
        phone=phone_or_blank(phone),
        public_allowed=bool(public_allowed),
    )


@transaction.atomic
def question_answer(*, question: Question, actor, answer: str) -> Question:
    """The item's unit answers a question; only staff who act for that unit may."""
    if not scope_for(actor).can_act_for_unit(question.unit):
        raise PermissionDenied(_("只有%(u)s可以答复该咨询") % {"u": question.unit.name})
    text = (answer or "").strip()
    if not text:
        raise ValidationFailed(_("请填写答复内容"), field="answer")
    question.answer, question.answered_at, question.answered_by = text, timezone.now(), actor
    question.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    return question
