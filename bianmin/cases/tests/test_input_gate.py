"""Staff case forms behind the input gate (issue 15): intake and a case action refuse over-long
text and control characters beside the field, keep what was typed, and save nothing."""

import pytest

from bianmin.cases.models import Case

from .test_intake_page import post_data

pytestmark = pytest.mark.django_db


def test_intake_refuses_long_entrustment_text_and_a_control_character_in_the_name(
    client, county, items
):
    client.force_login(county.a11.user)
    version = items.promised
    r = client.post("/cases/new/", post_data(version, entrustment_text="托" * 100_000))
    body = r.content.decode()
    assert r.status_code == 400 and "“委托事项”最多 500 个字，现有 100000 个字" in body
    assert 'value="张三"' in body and 'value="11010519491231002X"' in body
    r = client.post("/cases/new/", post_data(version, applicant_name="王\x0b五"))
    body = r.content.decode()
    assert "“申请人姓名/名称”含有不允许的控制字符（U+000B）" in body
    wide = "13800000001".translate({c: c + 0xFEE0 for c in range(ord("0"), ord("9") + 1)})
    r = client.post("/cases/new/", post_data(version, phone=wide))
    assert r.status_code == 302  # full-width digits typed on a Chinese keyboard are fine
    assert Case.objects.get().phone == "13800000001"


def test_a_case_action_refuses_a_long_note_and_a_huge_material_id(client, county, items):
    client.force_login(county.a11.user)
    client.post("/cases/new/", post_data(items.promised))
    case = Case.objects.get()
    before = case.events.count()
    r = client.post(f"/cases/{case.number}/actions/forward/", {"note": "注" * 3000})
    assert r.status_code == 422 and "最多 2000 个字" in r.content.decode()
    r = client.post(f"/cases/{case.number}/actions/supplement/", {"materials": "9" * 5000})
    assert r.status_code in (403, 409, 422)  # refused by the rules, not a 500
    assert case.events.count() == before
