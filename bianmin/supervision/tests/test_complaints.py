import datetime as dt

import pytest

from bianmin.common.errors import ValidationFailed
from bianmin.supervision import services
from bianmin.supervision.models import ComplaintStatus


def test_complaint_file_sets_working_day_deadlines_across_national_day(county):
    # Filed on Sunday 2025-09-28 (an adjusted working day); 09-29, 09-30 count, then the
    # National Day holiday 10-01..10-08, 10-11 (Saturday) is an adjusted working day.
    c = services.complaint_file(
        kind="complaint",
        unit=county.tc1,
        content="窗口人员态度差",
        name="张三",
        phone="13912345678",
        today=dt.date(2025, 9, 28),
    )
    assert c.status == ComplaintStatus.FILED
    # 09-29, 09-30, 10-09, 10-10, 10-11 (adjusted working Saturday).
    assert c.decide_due == dt.date(2025, 10, 11)
    assert c.reply_due > c.decide_due
    assert c.number.startswith("TS-20250928-")


def test_complaint_file_refuses_empty_content_and_bad_phone(county):
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(kind="complaint", unit=county.tc1, content="  ")
    assert e.value.field == "content"
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(kind="suggestion", unit=county.tc1, content="x", phone="123")
    assert e.value.field == "phone"
    with pytest.raises(ValidationFailed):
        services.complaint_file(kind="praise", unit=county.tc1, content="x")
