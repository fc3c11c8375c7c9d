"""The staff case list (办件查询): a queue's cases, or the cases in the viewer's scope, newest first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bianmin.common.errors import DomainError

from . import selectors
from .models import State
from .pages import QUEUE_LABELS, base_context, case_row, scope_of


@login_required
def case_list(request):
    state = request.GET.get("state", "")
    queue = request.GET.get("queue", "")
    try:
        page = selectors.case_list(
            viewer=request.user,
            state=state or None,
            queue=queue or None,
            cursor=request.GET.get("cursor") or None,
            scope=scope_of(request),
        )
    except DomainError as e:
        return render(
            request,
            "cases/list.html",
            {**base_context(request), "rows": [], "states": State.choices, "error": e.message},
            status=e.status,
        )
    query = request.GET.copy()
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    return render(
        request,
        "cases/list.html",
        {
            **base_context(request),
            "rows": [case_row(c) for c in page.items],
            "states": State.choices,
            "state": state,
            "queue": queue,
            "queue_label": QUEUE_LABELS.get(queue, ""),
            "has_more": bool(page.next_cursor),
            "next_query": query.urlencode(),
        },
    )
