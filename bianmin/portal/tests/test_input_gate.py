"""The public forms behind the input gate (issue 15): refused with the field named, what was
typed kept, nothing saved."""

import datetime as dt

import pytest

from bianmin.portal.models import Application
from bianmin.ratings.models import Rating
from bianmin.ratings.tests.helpers import PHONE, accept, conclude, register, township_item

from .test_application_and_status import APPLICANT

pytestmark = pytest.mark.django_db


def test_public_application_refuses_long_and_control_text_and_keeps_the_form(client, pc):
    r = client.post("/apply/ZR-001/", {**APPLICANT, "applicant_name": "王" * 100_000})
    body = r.content.decode()
    assert r.status_code == 422 and "“申请人”最多 100 个字，现有 100000 个字" in body
    assert 'id="applicant_name" name="applicant_name" value="王王王' in body
    assert 'aria-invalid="true"' in body and "新建住房" in body

    r = client.post("/apply/ZR-001/", {**APPLICANT, "applicant_name": "王\x00五"})
    body = r.content.decode()
    assert r.status_code == 422 and "控制字符（U+0000）" in body
    assert 'value="王五"' in body  # kept without the NUL a PostgreSQL JSON value cannot hold
    r = client.post("/apply/ZR-001/", {**APPLICANT, "subject": "修房\x0b子"})
    assert r.status_code == 422 and "“申请事由”含有不允许的控制字符" in r.content.decode()
    assert not Application.objects.exists()


def test_public_rating_comment_is_refused_with_the_form_kept(client, county):
    version = township_item(county)
    case = register(county, version, day=dt.date(2025, 10, 9))
    case = accept(case, county.t1_staff, day=dt.date(2025, 10, 9))
    case = conclude(case, county.t1_staff, day=dt.date(2025, 10, 10))
    client.post(f"/status/{case.number}/", {"phone_tail": PHONE[-4:]})
    r = client.post(f"/status/{case.number}/rate/", {"level": "5", "comment": "很好\x00很好"})
    body = r.content.decode()
    assert r.status_code == 422 and "“评价内容”含有不允许的控制字符（U+0000）" in body
    r = client.post(f"/status/{case.number}/rate/", {"level": "5", "comment": "好" * 501})
    assert r.status_code == 422 and "最多 500 个字" in r.content.decode()
    assert not Rating.objects.exists()
    r = client.post(f"/status/{case.number}/rate/", {"level": "5", "comment": " 很方便 "})
    assert r.status_code == 302 and Rating.objects.get().comment == "很方便"
