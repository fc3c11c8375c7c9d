"""Numbered pages for the lists that are not keyset-paged (the case list pages by cursor,
`cases.selectors.case_list`): `paginate` and the shared `_pager.html` include."""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, rows, per_page: int = PER_PAGE) -> Page:
    """The page of `rows` (a queryset or a list) named by `?page=`; an invalid or too large
    number gives the nearest page, so a stale link never fails. The page carries the other
    query parameters as `page.query` for the pager's links."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    return page
