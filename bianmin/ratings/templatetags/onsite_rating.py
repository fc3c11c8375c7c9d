"""`{% onsite_rating_button case user %}`: on a delivered case's page, the button that hands the
device to the applicant for the on-site rating (评价器). A tag of the ratings app, so the case page
offers it without the cases app depending on ratings."""

from django import template

from bianmin.cases.models import State
from bianmin.ratings.selectors import onsite_rating_open

register = template.Library()

# Right after the service: the result handed over, or the written refusal to accept.
AFTER_SERVICE = frozenset({State.CLOSED, State.DECLINED})


@register.inclusion_tag("ratings/_onsite_button.html")
def onsite_rating_button(case, user) -> dict:
    show = case.state in AFTER_SERVICE and onsite_rating_open(case, viewer=user)
    return {"case": case, "show": show}
