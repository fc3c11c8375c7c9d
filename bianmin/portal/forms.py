"""Forms of the public pages, behind the input gate (`bianmin.common.forms.GateMixin`)."""

from django import forms

from bianmin.common.forms import GateMixin, column_length

from .models import Application


def _column(name: str, **kwargs) -> forms.CharField:
    field = Application._meta.get_field(name)
    return forms.CharField(
        label=field.verbose_name,
        max_length=column_length(Application, name),
        required=False,
        **kwargs,
    )


class ApplyForm(GateMixin, forms.Form):
    """The applicant fields of an online application, checked for shape only (length, control
    characters, full-width digits): which are required and what a valid ID number is stays with
    `services.application_submit`, so the page and the API cannot disagree."""

    identifier_fields = ("id_number", "credit_code", "phone", "region")

    applicant_kind = _column("applicant_kind")
    applicant_name = _column("applicant_name")
    id_number = _column("id_number")
    credit_code = _column("credit_code")
    phone = _column("phone")
    contact = _column("contact")
    region = forms.CharField(required=False, max_length=12)
    address = _column("address")
    subject = _column("subject", widget=forms.Textarea)
