"""The complainant hears of the reply by short message (issue 14 item 2)."""

import pytest

from bianmin.sms.models import SmsMessage
from bianmin.supervision import services


@pytest.mark.django_db
def test_a_reply_queues_a_message_to_the_complainant(county, settings):
    settings.BIANMIN_PUBLIC_URL = "https://bm.example.gov.cn/"
    complaint = services.complaint_file(
        kind="complaint", unit=county.tc1, content="窗口人员态度差", phone="13912345678"
    )
    assert not SmsMessage.objects.exists()
    services.complaint_reply(
        complaint=complaint, actor=county.t1_head.user, reply="已约谈", outcome="upheld"
    )
    message = SmsMessage.objects.get()
    assert (message.code, message.phone, message.status) == (
        "complaint_reply",
        "13912345678",
        "queued",
    )
    assert message.reference == complaint.number
    assert f"编号{complaint.number}" in message.text
    assert "https://bm.example.gov.cn" in message.text
