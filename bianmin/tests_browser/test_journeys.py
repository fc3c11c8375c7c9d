"""The proxy loop through the pages only, in Chromium (RULES.md "The route of a proxied case").

Each journey is what the people do on their screens: the village agent on a 390 px phone (the
fake camera of `fixtures.CHROMIUM_ARGS` photographs the pages), the township and county halls at
1280 px, the applicant on their own phone for the public lookup. Cases move only through forms
and buttons; the database is read to check what the pages say, never written to move a case. At
each hop the test reads the queue count the person holding the case sees, and at the end the
case's timeline.

(a) a county item: village intake with photographed materials, one-time notice, partial then
    complete supplement, up through the township to 区民政局 (site check inside the clock,
    review, decision, certificate), back down through the township to the agent, delivery against
    a drawn signature, the on-site rating pad, and the public lookup giving the same proxy
    deadline as the acceptance notice and `Case.proxy_due`.
(b) a township item taken in with a deferred (容缺) material, delivered later by ticking it.
(c) a joint item: the lead department opens the joint review, two departments give their
    联审意见, the lead sees them and decides.
(d) a township hall taking a county item as a proxy itself (channel 代办) and delivering it.
(e) the item picker (pinyin initials and Chinese) and a refused intake keeping what was typed.
"""

import re

import pytest
from playwright.sync_api import expect

from bianmin.cases.models import Case, MaterialFile, PersonalDataView, State
from bianmin.ratings.models import Rating
from bianmin.tests_browser.fixtures import DB_LOCK, PHONE
from bianmin.tests_browser.journey_helpers import (
    DIBAO,
    HOMESTEAD,
    ID_BAD_CHECK,
    ID_OK,
    RELIEF,
    act,
    action_form,
    checklist_row,
    choose,
    current_unit,
    deliver,
    expect_image_shown,
    fill_applicant,
    home_counts,
    log_in,
    make_items,
    material_row,
    more_actions,
    next_step,
    nonzero,
    open_by_search,
    open_from_queue,
    photograph,
    pick_item,
    printed_date,
    queue_counts,
    search_item,
    state,
    submit,
    submit_intake,
    tick,
    timeline_actions,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TOWNSHIP = "武乡镇便民服务中心"
STATION = "汉王村便民服务站"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Photographed materials and signatures go to a throwaway media root."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _holidays(transactional_db):
    """The holiday calendar as a county has it. A data migration seeds it (workdays 0002), but a
    transactional test's flush empties it for every later test, which then counts every date on
    the Monday-Friday rule and marks every deadline provisional (暂定)."""
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()


def test_a_county_item_from_the_village_and_back(county, page, phone, new_page, screenshot):
    make_items(county)
    hall = page

    # --- The agent takes the request in on the phone: two materials photographed, two missing.
    log_in(phone, "v0101-agent")
    phone.goto("/staff/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="新建办件").first.click()
    pick_item(phone, "低保", DIBAO)
    fill_applicant(phone, "张三", ID_OK, "13912345678")
    photograph(phone, choose(phone, "居民身份证", "provided"), pages=2)
    photograph(phone, choose(phone, "户口簿", "provided"), pages=1)
    choose(phone, "家庭收入情况声明", "missing")
    choose(phone, "家庭财产状况声明", "missing")
    phone.check("#id_entrusted")
    screenshot(phone, "01-agent-intake")
    number = submit_intake(phone)
    with DB_LOCK:
        case = Case.objects.get(number=number)
        assert case.agent == county.a11 and case.is_proxy
        files = {
            f.material.name: (f.pages, f.source) for f in MaterialFile.objects.filter(case=case)
        }
    assert files == {"居民身份证": (2, "camera"), "户口簿": (1, "camera")}
    assert state(phone) == "待受理" and current_unit(phone) == STATION
    assert next_step(phone) == "一次性告知"
    expect(phone.locator("#case-clock")).to_contain_text("代办时限")
    expect(phone.locator("#case-clock")).not_to_contain_text("暂定")
    screenshot(phone, "02-agent-case")
    assert nonzero(queue_counts(phone)) == {"to_forward": 1}

    # One-time notice of both missing materials (the primary action).
    open_from_queue(phone, "to_forward", number)
    form = action_form(phone, "notify_missing")
    expect(form.locator("ul.must li")).to_have_text(["家庭收入情况声明", "家庭财产状况声明"])
    form.locator("[name=note]").fill("请尽快补交两份声明")
    submit(phone, form)
    assert state(phone) == "待补正"
    assert nonzero(queue_counts(phone)) == {"awaiting_materials": 1}

    # The applicant brings one of the two: a partial supplement keeps the case waiting.
    open_from_queue(phone, "awaiting_materials", number)
    assert next_step(phone) == "补正材料"
    form = action_form(phone, "supplement")
    tick(form, "家庭收入情况声明")
    submit(phone, form)
    assert state(phone) == "待补正"
    expect(material_row(phone, "家庭收入情况声明").locator(".tag").first).to_have_text("已提交")
    expect(material_row(phone, "家庭财产状况声明").locator(".tag").first).to_have_text("缺少")
    # ... the second one completes it.
    form = action_form(phone, "supplement")
    tick(form, "家庭财产状况声明")
    submit(phone, form)
    assert state(phone) == "待受理"
    assert next_step(phone) == "转报"
    assert nonzero(queue_counts(phone)) == {"to_forward": 1}

    # Forward to the township centre.
    open_from_queue(phone, "to_forward", number)
    expect(action_form(phone, "forward").locator("p.hop")).to_contain_text(TOWNSHIP)
    act(phone, "forward")
    assert state(phone) == "转报中" and current_unit(phone) == TOWNSHIP
    # Nothing is expected of the agent now: no 「下一步」, withdrawal only under 更多操作.
    assert next_step(phone) == "" and more_actions(phone) == ["撤回申请"]
    screenshot(phone, "03-agent-forwarded")
    assert nonzero(queue_counts(phone)) == {}

    # --- The township clerk receives it, looks at the photographed materials, forwards it.
    log_in(hall, "t01-staff")
    assert nonzero(home_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    assert state(hall) == "待受理" and current_unit(hall) == TOWNSHIP
    assert next_step(hall) == "转报"
    id_files = material_row(hall, "居民身份证").locator("li.mfile")
    expect(id_files).to_have_count(1)
    expect(id_files.locator(".mfile-pages")).to_have_text("共 2 页")
    expect(id_files.locator(".mfile-meta")).to_contain_text("拍照")
    expect(material_row(hall, "户口簿").locator("li.mfile .mfile-pages")).to_have_text("共 1 页")
    expect_image_shown(id_files.locator("img"))
    screenshot(hall, "04-township-materials")
    href = id_files.locator(".mfile-meta a", has_text="查看").get_attribute("href")
    opened = hall.request.get(href)
    assert opened.ok and opened.headers["content-type"] == "application/pdf"
    assert opened.body().startswith(b"%PDF-")
    # The clerk accepts the ID card's copy (认可): the row is answered in place.
    id_files.get_by_role("button", name="认可").click()
    expect(id_files.locator(".tag")).to_have_text("已认可")
    with DB_LOCK:
        assert PersonalDataView.objects.filter(
            case=case, viewer=county.t1_staff.user, channel="file"
        ).exists()
    assert nonzero(queue_counts(hall)) == {"to_forward": 1}
    open_from_queue(hall, "to_forward", number)
    expect(action_form(hall, "forward").locator("p.hop")).to_contain_text("区民政局")
    act(hall, "forward")
    assert state(hall) == "转报中" and current_unit(hall) == "区民政局"
    assert nonzero(queue_counts(hall)) == {}

    # --- 区民政局 receives, accepts, checks on site (inside the clock), reviews, decides.
    log_in(hall, "d-mz")
    assert nonzero(home_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    assert next_step(hall) == "受理"
    assert nonzero(queue_counts(hall)) == {"to_accept": 1}
    open_from_queue(hall, "to_accept", number)
    act(hall, "accept")
    assert state(hall) == "已受理"
    clock_before = hall.locator("#case-clock").inner_text()
    assert "办结时限" in clock_before
    assert next_step(hall) == "审核" and "现场核查" in more_actions(hall)
    act(
        hall,
        "site_check",
        more=True,
        findings="入户核查：家庭人口3人，住房简陋，收入情况与声明一致",
        people="民政审批、村委会主任",
    )
    assert state(hall) == "已受理"
    assert hall.locator("#case-clock").inner_text() == clock_before
    assert "site_check" in timeline_actions(hall)
    assert "suspend" not in timeline_actions(hall)
    with DB_LOCK:
        assert not case.pauses.filter(ended_on=None).exists()
    expect(hall.locator("#timeline li.action-site_check")).to_contain_text("入户核查")
    screenshot(hall, "05-department-site-check")
    assert nonzero(queue_counts(hall)) == {"to_review": 1}
    open_from_queue(hall, "to_review", number)
    act(hall, "review", opinion="经审核，符合低保条件，拟同意")
    assert state(hall) == "已审核"
    act(hall, "decide", approved="准予")
    assert state(hall) == "已决定"
    form = action_form(hall, "conclude")
    certificate = form.locator("[name=certificate_number]")
    if certificate.count():
        certificate.fill("DB-2026-0001")
    submit(hall, form)
    assert state(hall) == "已办结"
    assert next_step(hall) == "回交"
    expect(action_form(hall, "hand_back").locator("p.hop")).to_contain_text(TOWNSHIP)
    act(hall, "hand_back")
    assert state(hall) == "回交中" and current_unit(hall) == TOWNSHIP
    assert nonzero(queue_counts(hall)) == {}

    # --- The township receives the result and hands it on to the station.
    log_in(hall, "t01-staff")
    assert nonzero(queue_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    assert state(hall) == "待送达"
    assert nonzero(queue_counts(hall)) == {"to_hand_back": 1}
    open_from_queue(hall, "to_hand_back", number)
    expect(action_form(hall, "hand_back").locator("p.hop")).to_contain_text(STATION)
    act(hall, "hand_back")
    assert state(hall) == "回交中" and current_unit(hall) == STATION

    # --- The agent receives it and delivers it against the applicant's signature.
    assert nonzero(home_counts(phone)) == {"to_receive": 1}
    open_from_queue(phone, "to_receive", number)
    act(phone, "receive")
    assert state(phone) == "待送达"
    assert nonzero(queue_counts(phone)) == {"to_deliver": 1}
    open_from_queue(phone, "to_deliver", number)
    screenshot(phone, "06-agent-to-deliver")
    deliver(phone, "张三", "代办员送证上门，很方便")
    assert state(phone) == "已送达"
    with DB_LOCK:
        case.refresh_from_db()
        assert case.state == State.CLOSED
        with case.delivery.signature.open("rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    card = phone.locator("#onsite-rating")
    expect(card).to_be_visible()
    screenshot(phone, "07-agent-delivered")

    # The applicant rates on the agent's phone: a tap on a face, then 提交评价.
    with phone.expect_navigation():
        card.get_by_role("link", name="打开评价器").tap()
    screenshot(phone, "08-rating-pad")
    phone.locator("label[for=level-5]").tap()
    with phone.expect_navigation():
        phone.locator("#onsite-form button.submit").tap()
    expect(phone.locator("#onsite-thanks")).to_be_visible()
    screenshot(phone, "09-rating-thanks")
    with DB_LOCK:
        rating = Rating.objects.get(case=case)
    assert (rating.channel, rating.level) == ("onsite", 5)
    with phone.expect_navigation():
        phone.get_by_role("link", name="工作人员：返回办件").click()
    expect(phone.locator("#onsite-rating")).to_have_count(0)

    # The whole way, as the case page tells it.
    actions = timeline_actions(phone)
    assert actions == [
        "entrust",
        "upload",  # the photographed pages, one PDF per material
        "upload",
        "notify_missing",
        "supplement",
        "supplement",
        "forward",
        "receive",
        "file_review",  # the township accepted the ID card's copy
        "forward",
        "receive",
        "accept",
        "site_check",
        "review",
        "decide",
        "conclude",
        "hand_back",
        "receive",
        "hand_back",
        "receive",
        "deliver",
    ], " ".join(actions)
    timeline = phone.locator("#timeline")
    expect(timeline.locator("li.action-upload")).to_contain_text(
        ["居民身份证，2 页", "户口簿，1 页"]
    )
    expect(timeline.locator("li.action-supplement").first).to_contain_text("仍缺：家庭财产状况声明")
    expect(timeline.locator("li.action-conclude")).to_contain_text("DB-2026-0001")
    expect(timeline.locator("li.action-deliver")).to_contain_text("签收人：张三")
    screenshot(phone, "10-agent-timeline")
    # The delivery receipt (送达回执) prints as a PDF with the signature.
    pdf_link = phone.locator("ul.documents li", has_text="送达回执").get_by_role("link", name="PDF")
    receipt = phone.request.get(pdf_link.get_attribute("href"))
    assert receipt.ok and receipt.body().startswith(b"%PDF-")

    # The proxy deadline printed on the acceptance notice...
    with phone.expect_popup() as popup:
        phone.locator("ul.documents li", has_text="受理通知书").get_by_role(
            "link", name="查看"
        ).click()
    notice = popup.value
    notice.wait_for_load_state()
    due_row = notice.locator("tr", has=notice.locator("th", has_text="代办承诺办结日期"))
    expect(due_row).to_have_count(1)
    printed = printed_date(due_row.locator("td.due").inner_text())
    screenshot(notice, "11-acceptance-notice")

    # ... is what the applicant finds on the public lookup, logged out, on their own phone.
    citizen = new_page(**PHONE)
    citizen.goto("/status/")
    citizen.fill("#number", number)
    citizen.fill("#phone_tail", "5678")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="查询").click()
    due = citizen.locator("#due-on")
    expect(due).to_have_count(1)
    assert due.evaluate("dd => dd.previousElementSibling.textContent.trim()") == "代办承诺办结日期"
    shown = printed_date(due.inner_text())
    screenshot(citizen, "12-public-status")
    with DB_LOCK:
        case.refresh_from_db()
    assert printed == shown == case.proxy_due


def test_b_township_item_with_a_deferred_material(county, page, phone, screenshot):
    make_items(county)
    hall = page

    # The agent takes it in with the non-key 困难情况证明 deferred (容缺后补): due days, commitment.
    log_in(phone, "v0101-agent")
    phone.goto("/cases/new/")
    pick_item(phone, "临时救助", RELIEF)
    fill_applicant(phone, "李四", ID_OK, "13800001234")
    choose(phone, "居民身份证", "provided")
    choose(phone, "临时救助申请书", "provided")
    deferred = choose(phone, "困难情况证明", "deferred")
    deferred.locator("input[name$=_days]").fill("3")
    commitment = deferred.locator("textarea[name$=_deferral]")
    expect(commitment).to_have_value(re.compile("困难情况证明"))
    commitment.fill(commitment.input_value() + "（申请人李四签字）")
    phone.check("#id_entrusted")
    screenshot(phone, "01-agent-intake-deferred")
    number = submit_intake(phone)
    assert state(phone) == "待受理" and next_step(phone) == "转报"
    row = material_row(phone, "困难情况证明")
    expect(row.locator(".tag").first).to_have_text("容缺后补")
    expect(row).to_contain_text("补交期限")
    assert nonzero(queue_counts(phone)) == {"to_forward": 1}
    open_from_queue(phone, "to_forward", number)
    act(phone, "forward")
    assert current_unit(phone) == TOWNSHIP

    # The township receives and accepts it (its own item): the deferred row keeps its due date.
    log_in(hall, "t01-staff")
    assert nonzero(home_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    assert next_step(hall) == "受理"
    assert nonzero(queue_counts(hall)) == {"to_accept": 1}
    open_from_queue(hall, "to_accept", number)
    act(hall, "accept")
    assert state(hall) == "已受理" and next_step(hall) == "审核"
    row = material_row(hall, "困难情况证明")
    expect(row.locator(".tag").first).to_have_text("容缺后补")
    with DB_LOCK:
        due_on = Case.objects.get(number=number).materials.get(name="困难情况证明").due_on
    assert due_on is not None
    expect(row).to_contain_text(f"补交期限 {due_on:%Y-%m-%d}")
    screenshot(hall, "02-township-accepted-deferred")
    assert nonzero(queue_counts(hall)) == {"to_review": 1}

    # The agent's page meanwhile: nothing expected of the station, the late material folded away.
    open_by_search(phone, number)
    assert next_step(phone) == ""
    assert "补正材料" in more_actions(phone)

    # The applicant brings the certificate to the township: 补正材料 from 更多操作, ticked.
    open_from_queue(hall, "to_review", number)
    assert "补正材料" in more_actions(hall)
    form = action_form(hall, "supplement", more=True)
    tick(form, "困难情况证明")
    submit(hall, form)
    assert state(hall) == "已受理"
    row = material_row(hall, "困难情况证明")
    expect(row.locator(".tag").first).to_have_text("已提交")
    expect(row).not_to_contain_text("补交期限")

    # The township decides and concludes, and hands the result to the station.
    act(hall, "review", opinion="困难情况属实")
    act(hall, "decide", approved="准予")
    act(hall, "conclude")
    assert state(hall) == "已办结" and next_step(hall) == "回交"
    expect(action_form(hall, "hand_back").locator("p.hop")).to_contain_text(STATION)
    act(hall, "hand_back")
    assert state(hall) == "回交中" and current_unit(hall) == STATION

    # The agent receives and delivers it.
    assert nonzero(home_counts(phone)) == {"to_receive": 1}
    open_from_queue(phone, "to_receive", number)
    act(phone, "receive")
    assert nonzero(queue_counts(phone)) == {"to_deliver": 1}
    open_from_queue(phone, "to_deliver", number)
    deliver(phone, "李四", "")
    assert state(phone) == "已送达"
    actions = timeline_actions(phone)
    assert actions == [
        "entrust",
        "forward",
        "receive",
        "accept",
        "supplement",
        "review",
        "decide",
        "conclude",
        "hand_back",
        "receive",
        "deliver",
    ], " ".join(actions)
    expect(phone.locator("#timeline li.action-supplement")).to_contain_text("补交：困难情况证明")
    screenshot(phone, "03-agent-delivered")


def test_c_joint_item_opinions_of_two_departments(county, page, phone, screenshot):
    make_items(county)
    hall = page

    # Taken in at the village, relayed by the township to the lead department 区自然资源局.
    log_in(phone, "v0101-agent")
    phone.goto("/cases/new/")
    pick_item(phone, "宅基地", HOMESTEAD)
    fill_applicant(phone, "赵六", ID_OK, "13600002222")
    phone.get_by_role("button", name="其余全部标为已提交").click()
    phone.check("#id_entrusted")
    number = submit_intake(phone)
    act(phone, "forward")
    log_in(hall, "t01-staff")
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    expect(action_form(hall, "forward").locator("p.hop")).to_contain_text("区自然资源局")
    act(hall, "forward")

    # The lead accepts and reviews: the review opens the joint review of both departments.
    log_in(hall, "d-zr")
    assert nonzero(queue_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    act(hall, "accept")
    assert next_step(hall) == "审核"
    act(hall, "review", opinion="规划选址符合村庄规划，提请联审")
    assert state(hall) == "联审中"
    rows = hall.locator("#joint-review tbody tr")
    expect(rows).to_have_count(2)
    assert sorted(rows.locator("td:nth-child(1)").all_inner_texts()) == ["区人社局", "区民政局"]
    expect(rows.locator("td:nth-child(2)")).to_have_text(["待审", "待审"])
    # Waiting for the opinions: no decision offered, and nothing posing as the next step.
    assert next_step(hall) == ""
    assert "决定" not in more_actions(hall)
    screenshot(hall, "01-lead-joint-review-open")
    assert nonzero(queue_counts(hall)) == {"to_review": 1}

    # Each joint department gives its 联审意见 (an opinion, not a decision).
    for username, unit, text in (
        ("d-mz", "区民政局", "申请人户籍及家庭成员情况属实，同意"),
        ("d-rs", "区人社局", "无异议，同意"),
    ):
        log_in(hall, username)
        assert nonzero(home_counts(hall)) == {"to_review": 1}
        open_from_queue(hall, "to_review", number)
        assert next_step(hall) == "联审意见"
        form = action_form(hall, "opine")
        expect(form.locator("label[for=opine-approved]")).to_have_text("本部门联审意见")
        expect(form.locator("select[name=approved] option")).to_have_text(["同意", "不同意"])
        expect(form.locator("button[type=submit]")).to_have_text("联审意见")
        assert "准予" not in form.inner_text() and "审批决定" not in form.inner_text()
        if username == "d-mz":
            screenshot(hall, "02-joint-department-opinion-form")
        act(hall, "opine", approved="同意", opinion=text)
        row = hall.locator("#joint-review tbody tr", has_text=unit)
        expect(row.locator("td").nth(1)).to_have_text("同意")
        expect(row.locator("td").nth(2)).to_have_text(text)
        assert next_step(hall) == "" and "联审意见" not in more_actions(hall)
        assert nonzero(queue_counts(hall)) == {}

    # The lead sees both opinions, then decides.
    log_in(hall, "d-zr")
    open_from_queue(hall, "to_review", number)
    for unit, text in (
        ("区民政局", "申请人户籍及家庭成员情况属实，同意"),
        ("区人社局", "无异议，同意"),
    ):
        cells = hall.locator("#joint-review tbody tr", has_text=unit).locator("td")
        expect(cells.nth(1)).to_have_text("同意")
        expect(cells.nth(2)).to_have_text(text)
    assert next_step(hall) == "决定"
    screenshot(hall, "03-lead-before-decision")
    act(hall, "decide", approved="准予")
    assert state(hall) == "已决定"
    actions = timeline_actions(hall)
    assert actions == [
        "entrust",
        "forward",
        "receive",
        "forward",
        "receive",
        "accept",
        "review",
        "opine",
        "opine",
        "decide",
    ], " ".join(actions)
    timeline = hall.locator("#timeline")
    expect(timeline.locator("li.action-review")).to_contain_text(
        re.compile("联审部门：(区民政局、区人社局|区人社局、区民政局)")
    )
    opinions = timeline.locator("li.action-opine .summary").all_inner_texts()
    assert sorted(opinions) == [
        "区人社局：同意（无异议，同意）",
        "区民政局：同意（申请人户籍及家庭成员情况属实，同意）",
    ]


def test_d_township_hall_takes_a_county_item_as_proxy(county, page, screenshot):
    make_items(county)
    hall = page

    # The township clerk opens it at the window at 1280 px: channel 代办, entrustment ticked.
    log_in(hall, "t01-staff")
    hall.goto("/cases/queues/")
    with hall.expect_navigation():
        hall.locator("nav.subnav").get_by_role("link", name="新建办件").click()
    hit = search_item(hall, "dibao", DIBAO)
    expect(hit.locator(".proxy-tag")).to_have_text("仅可代办")
    hit.click()
    expect(hall.locator("#item-chosen .chosen-name")).to_have_text(DIBAO)
    expect(hall.locator("#item-chosen .proxy-only")).to_be_visible()
    hall.select_option("#id_channel", label="代办（受申请人委托）")
    fill_applicant(hall, "钱七", ID_OK, "13500003333")
    hall.get_by_role("button", name="其余全部标为已提交").click()
    hall.check("#id_entrusted")
    hall.fill("#id_entrustment_text", "代为提交申请材料、领取办理结果")
    screenshot(hall, "01-hall-proxy-intake")
    number = submit_intake(hall)
    with DB_LOCK:
        case = Case.objects.get(number=number)
        assert case.is_proxy and case.intake_unit == county.tc1 and case.agent == county.t1_staff
    assert (
        hall.locator("#case-route").inner_text() == f"{TOWNSHIP}（收件） → 区民政局（受理、决定）"
    )
    assert state(hall) == "待受理" and next_step(hall) == "转报"
    assert nonzero(queue_counts(hall)) == {"to_forward": 1}
    open_from_queue(hall, "to_forward", number)
    act(hall, "forward")
    assert current_unit(hall) == "区民政局"

    # Up to the department and back down to the hall itself, not to a village.
    log_in(hall, "d-mz")
    assert nonzero(queue_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    act(hall, "accept")
    act(hall, "review")
    act(hall, "decide", approved="准予")
    form = action_form(hall, "conclude")
    form.locator("[name=certificate_number]").fill("DB-2026-0002")
    submit(hall, form)
    expect(action_form(hall, "hand_back").locator("p.hop")).to_contain_text(TOWNSHIP)
    act(hall, "hand_back")
    assert current_unit(hall) == TOWNSHIP

    log_in(hall, "t01-staff")
    assert nonzero(queue_counts(hall)) == {"to_receive": 1}
    open_from_queue(hall, "to_receive", number)
    act(hall, "receive")
    assert state(hall) == "待送达" and next_step(hall) == "送达"
    assert nonzero(queue_counts(hall)) == {"to_deliver": 1}
    open_from_queue(hall, "to_deliver", number)
    deliver(hall, "钱七", "窗口直接领取")
    assert state(hall) == "已送达" and current_unit(hall) == TOWNSHIP
    expect(hall.locator("#onsite-rating")).to_be_visible()
    screenshot(hall, "02-hall-delivered")
    actions = timeline_actions(hall)
    assert actions == [
        "entrust",
        "forward",
        "receive",
        "accept",
        "review",
        "decide",
        "conclude",
        "hand_back",
        "receive",
        "deliver",
    ], " ".join(actions)
    with DB_LOCK:
        hops = list(case.custodies.values_list("to_unit__name", flat=True))
    assert hops == [TOWNSHIP, "区民政局", TOWNSHIP]


def test_e_item_picker_and_a_refused_intake_keep_what_was_typed(county, phone, screenshot):
    make_items(county)
    log_in(phone, "v0101-agent")
    phone.goto("/cases/new/")

    # The picker finds 低保 by the initials of its pinyin and by the Chinese word.
    search_item(phone, "dbsq", DIBAO)
    screenshot(phone, "01-search-dbsq")
    pick_item(phone, "低保", DIBAO)

    # A wrong ID check character: refused next to the ID field, in Chinese; nothing saved.
    fill_applicant(phone, "王五", ID_BAD_CHECK, "13700001111")
    choose(phone, "居民身份证", "provided")
    choose(phone, "户口簿", "missing")
    choose(phone, "家庭收入情况声明", "provided")
    choose(phone, "家庭财产状况声明", "provided")
    phone.check("#id_entrusted")
    with DB_LOCK:
        before = Case.objects.count()
    with phone.expect_navigation():
        phone.locator("#intake-submit").click()
    assert phone.url.endswith("/cases/new/")

    def refused_keeping_input(field: str, message: str) -> None:
        expect(phone.locator("#intake-error")).to_be_visible()
        box = phone.locator(".field.has-error", has=phone.locator(f"#id_{field}"))
        expect(box.locator(".errorlist")).to_have_text(message)
        expect(phone.locator("#item-chosen .chosen-name")).to_have_text(DIBAO)
        expect(phone.locator("#id_applicant_name")).to_have_value("王五")
        expect(phone.locator("#id_entrusted")).to_be_checked()
        expect(checklist_row(phone, "户口簿").locator("label.opt-missing input")).to_be_checked()
        expect(
            checklist_row(phone, "居民身份证").locator("label.opt-provided input")
        ).to_be_checked()
        with DB_LOCK:
            assert Case.objects.count() == before

    refused_keeping_input("id_number", "居民身份证号校验位错误")
    expect(phone.locator("#id_phone")).to_have_value("13700001111")
    expect(phone.locator("#id_id_number")).to_have_value(ID_BAD_CHECK)
    screenshot(phone, "02-refused-id")

    # With a photographed page the form goes by script: refused again (no phone number), it
    # keeps what was typed and the page taken.
    phone.fill("#id_id_number", ID_OK)
    phone.fill("#id_phone", "")
    id_card = checklist_row(phone, "居民身份证")
    photograph(phone, id_card, pages=1)
    phone.locator("#intake-submit").click()
    refused_keeping_input("phone", "请填写联系电话")
    expect(phone.locator("#id_id_number")).to_have_value(ID_OK)
    id_card = checklist_row(phone, "居民身份证")
    expect(id_card.locator(".capture-page")).to_have_count(1)
    expect(id_card.locator("[data-capture-status]")).to_have_text("已保留 1 页，待重新提交")
    screenshot(phone, "03-refused-phone-pages-kept")

    # Corrected, it goes through, with the page.
    phone.fill("#id_phone", "13700001111")
    number = submit_intake(phone)
    with DB_LOCK:
        case = Case.objects.get(number=number)
        assert case.applicant_name == "王五" and case.id_number == ID_OK
        assert [(f.material.name, f.pages) for f in case.files.all()] == [("居民身份证", 1)]
        assert case.materials.get(name="户口簿").status == "missing"
