"""`{% work_queue_counts user as queues %}`: the viewer's queue counts for the staff home page."""

from django import template

register = template.Library()


@register.simple_tag
def work_queue_counts(user) -> list[dict]:
    from bianmin.cases.pages import QUEUE_LABELS
    from bianmin.cases.selectors import work_queues

    if not getattr(user, "is_authenticated", False):
        return []
    data = work_queues(viewer=user, limit=0)
    return [
        {"code": code, "label": QUEUE_LABELS.get(code, code), "count": q["count"]}
        for code, q in data.items()
    ]
