"""Short messages to the applicant through the pages, in Chromium (issue 14 item 2).

A township clerk takes a township item in at the window for an applicant with a mobile number,
accepts it, reviews, decides and concludes it, so the result waits at the township for the
applicant. The outbox then holds the acceptance and ready-for-collection messages for that
number, queued; the database task worker (`db_worker --batch`) sends them through the default
file/log sender, and the administrator reads them in the admin's read-only outbox.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bianmin.cases.models import Case
from bianmin.sms.models import SmsMessage, SmsStatus
from bianmin.tests_browser.fixtures import DB_LOCK
from bianmin.tests_browser.journey_helpers import (
    ID_OK,
    RELIEF,
    act,
    fill_applicant,
    log_in,
    make_items,
    next_step,
    pick_item,
    state,
    submit_intake,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13700004444"


@pytest.fixture(autouse=True)
def _seeded(transactional_db, settings, tmp_path):
    """Data migrations seed the holiday calendar and the message templates, but a transactional
    test's flush empties both for every later test; the log sender writes to a throwaway file."""
    from bianmin.sms.defaults import templates_seed
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()
    templates_seed()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BIANMIN_SMS_SENDER = "bianmin.sms.senders.FileSender"
    settings.BIANMIN_SMS_LOG = tmp_path / "sms-outbox.log"


def test_acceptance_and_ready_for_collection_reach_the_applicant(county, page, screenshot):
    make_items(county)
    hall = page

    # The township clerk takes the request in at the window and accepts it (a township item).
    log_in(hall, "t01-staff")
    hall.goto("/cases/new/")
    pick_item(hall, "临时救助", RELIEF)
    fill_applicant(hall, "孙八", ID_OK, PHONE)
    hall.get_by_role("button", name="其余全部标为已提交").click()
    number = submit_intake(hall)
    assert state(hall) == "待受理" and next_step(hall) == "受理"
    with DB_LOCK:
        assert not SmsMessage.objects.exists()  # taking in is no moment the applicant acts on
    act(hall, "accept")
    assert state(hall) == "已受理"
    with DB_LOCK:
        accepted = SmsMessage.objects.get(reference=number)
    assert (accepted.code, accepted.phone, accepted.status) == ("accepted", PHONE, "queued")
    assert f"办件编号{number}" in accepted.text and "武乡镇便民服务中心受理" in accepted.text

    # Reviewed, decided and concluded here: the result now waits at the township that took it in.
    act(hall, "review", opinion="困难情况属实")
    act(hall, "decide", approved="准予")
    act(hall, "conclude")
    assert state(hall) == "已办结"
    with DB_LOCK:
        case = Case.objects.get(number=number)
        assert case.current_unit == case.intake_unit == county.tc1
        rows = list(SmsMessage.objects.filter(reference=number).order_by("pk"))
    assert [(m.code, m.phone, m.status) for m in rows] == [
        ("accepted", PHONE, "queued"),
        ("decided", PHONE, "queued"),
        ("ready", PHONE, "queued"),
    ]
    ready = rows[-1]
    assert "办理结果已到武乡镇便民服务中心" in ready.text

    # The worker sends what the commits put on the task queue, then exits.
    with DB_LOCK:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        sent = {m.code: m for m in SmsMessage.objects.filter(reference=number)}
    assert {code: m.status for code, m in sent.items()} == {
        "accepted": SmsStatus.SENT,
        "decided": SmsStatus.SENT,
        "ready": SmsStatus.SENT,
    }
    assert all(m.attempts == 1 and m.sent_at for m in sent.values())
    from django.conf import settings

    log = settings.BIANMIN_SMS_LOG.read_text(encoding="utf-8")
    assert accepted.text in log and ready.text in log
    assert log.count(PHONE) == 3

    # The administrator reads them in the outbox, which offers no way to change them.
    log_in(hall, "admin")
    hall.goto(f"/admin/sms/smsmessage/?q={number}")
    rows_shown = hall.locator("#result_list tbody tr")
    expect(rows_shown).to_have_count(3)
    expect(rows_shown.first).to_contain_text("已发送")
    expect(
        hall.locator("main .object-tools a.addlink, #content .object-tools a.addlink")
    ).to_have_count(0)
    screenshot(hall, "sms-outbox-admin")
    with hall.expect_navigation():
        rows_shown.filter(has_text="结果可领取").locator("th a").click()
    expect(hall.locator("#content")).to_contain_text(ready.text)
    expect(hall.locator("input[type=submit][name=_save]")).to_have_count(0)
