"""The leave form behind the input gate (issue 15): a refused request comes back on the page with
what was typed, beside the form, and nothing is saved."""

import pytest

from bianmin.staffing.models import LeaveRequest

pytestmark = pytest.mark.django_db

LEAVE = {"kind": "personal", "start": "2026-09-21", "end": "2026-09-24", "reason": "家中秋收"}


@pytest.mark.parametrize(
    ("over", "said"),
    [
        ({"reason": "秋收\x00"}, "“事由”含有不允许的控制字符（U+0000）"),
        ({"reason": "收" * 2001}, "“事由”最多 2000 个字"),
        ({"end": "9999-12-31"}, "“结束日期”应在 1949-10-01 至"),
    ],
)
def test_leave_form_refuses_and_keeps_what_was_typed(client, county, over, said):
    client.force_login(county.a11.user)
    r = client.post("/staffing/leave/new/", {**LEAVE, **over})
    body = r.content.decode()
    assert r.status_code == 422 and said in body
    assert 'value="2026-09-21"' in body and '<option value="personal" selected>' in body
    assert not LeaveRequest.objects.exists()
