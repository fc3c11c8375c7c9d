"""What a rating form posts, read the same way on the staff pages and the public status page."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from bianmin.common.forms import posted_text

from .models import RATING_COMMENT_MAX


def posted_comment(data: Any) -> str:
    """The rating's free-text comment, trimmed and bounded (a form error names 评价内容)."""
    return posted_text(
        data, "comment", max_length=RATING_COMMENT_MAX, label=_("评价内容"), multiline=True
    )
