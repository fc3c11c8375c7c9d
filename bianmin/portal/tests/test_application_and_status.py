import logging
import re

import pytest
from captcha.models import CaptchaStore
from django.test import override_settings

from bianmin.cases.models import State
from bianmin.cases.services import case_transition
from bianmin.portal.models import Application, ApplicationDraft
from bianmin.ratings.models import Rating

from .conftest import PNG, fake_pdf, pdf

APPLICANT = {
    "applicant_kind": "person",
    "applicant_name": "张建国",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "region": "610702100201",
    "address": "汉王村一组",
    "subject": "新建住房",
}


def materials(pc):
    form, idcard = pc.homestead.materials.order_by("position")
    return form, idcard


def submit(client, pc, **files):
    return client.post("/apply/ZR-001/", {**APPLICANT, **files})


@pytest.mark.django_db
def test_only_online_items_can_be_applied_for(client, pc):
    assert client.get("/apply/MZ-001/").status_code == 404
    assert client.get("/apply/ZR-001/").status_code == 200


@pytest.mark.django_db
def test_autosave_keeps_typing_in_a_draft(client, pc):
    client.get("/apply/ZR-001/")
    r = client.post(
        "/apply/ZR-001/autosave/", {"applicant_name": "张建", "evil": "x"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "草稿已自动保存" in r.content.decode()
    draft = ApplicationDraft.objects.get()
    assert draft.data == {"applicant_name": "张建"}
    assert 'value="张建"' in client.get("/apply/ZR-001/").content.decode()


@pytest.mark.django_db
def test_fake_pdf_is_refused_and_the_rest_of_the_form_is_kept(client, pc):
    form, idcard = materials(pc)
    r = submit(
        client,
        pc,
        **{f"material_{form.pk}": fake_pdf(), f"material_{idcard.pk}": pdf("身份证.pdf")},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "不是真正的 PDF 文件" in body
    assert 'value="张建国"' in body and 'value="11010519491231002X"' in body and "新建住房" in body
    assert "已上传：身份证.pdf" in body  # the good file is kept with the draft
    assert not Application.objects.exists()
    # Renaming does not help: a PNG called .pdf is refused too; a non-image type is refused.
    r = submit(client, pc, **{f"material_{form.pk}": pdf("x.exe")})
    assert r.status_code == 302  # content decides: a real PDF under any name is fine
    app = Application.objects.get()
    assert app.files.count() == 2 and app.unit == pc.tc1


@pytest.mark.django_db
@override_settings(BIANMIN_UPLOAD_MAX_BYTES=1024)
def test_size_limit_and_wrong_identifier_name_their_field(client, pc):
    form, _idcard = materials(pc)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    r = submit(client, pc, **{f"material_{form.pk}": big})
    assert r.status_code == 422 and "超过" in r.content.decode()
    r = client.post("/apply/ZR-001/", {**APPLICANT, "id_number": "110105194912310021"})
    assert r.status_code == 422 and "校验位错误" in r.content.decode()
    assert (
        'id="id_number" name="id_number" value="110105194912310021" autocomplete="off" aria-invalid="true"'
        in r.content.decode()
    )


def apply_with_form_only(client, pc) -> Application:
    form, _idcard = materials(pc)
    r = submit(client, pc, **{f"material_{form.pk}": pdf()})
    assert r.status_code == 302
    return Application.objects.get()


@pytest.mark.django_db
def test_prereview_notice_supplement_accept_status_and_rating(client, pc):
    form, idcard = materials(pc)
    app = apply_with_form_only(client, pc)
    applicant = client
    # The case exists from submission (art. 32 counts from arrival), owned by nobody yet.
    case = app.case
    assert case.state == State.SUBMITTED and case.channel == "online"
    assert case.first_responder is None and case.current_unit == pc.tc1
    assert case.events.get().actor_name == "申请人(网上)"
    # Staff outside the township do not see it.
    from django.test import Client

    staff = Client()
    staff.force_login(pc.t2_staff.user)
    assert staff.get(f"/staff/prereview/{app.code}/").status_code == 404
    staff.force_login(pc.t1_staff.user)
    assert app.code in staff.get("/staff/prereview/").content.decode()
    staff.post(f"/staff/prereview/{app.code}/act/", {"action": "notice", "note": "请补身份证"})
    app.refresh_from_db()
    case = app.case
    assert app.status == "noticed" and case.state == State.AWAITING_MATERIALS
    assert case.channel == "online" and case.first_responder == pc.t1_staff.user
    notice = case.notices.get()
    assert [m["name"] for m in notice.materials] == ["申请人身份证"]

    # Status page needs the phone digits; then it shows the notice and takes the supplement.
    page = applicant.get(f"/status/{case.number}/")
    assert "申请人身份证" not in page.content.decode()
    applicant.post(f"/status/{case.number}/", {"phone_tail": "5678"})
    body = applicant.get(f"/status/{case.number}/").content.decode()
    assert "一次性告知书" in body and "申请人身份证" in body and "待补正" in body
    r = applicant.post(
        f"/status/{case.number}/supplement/", {f"material_{idcard.pk}": fake_pdf("sfz.pdf")}
    )
    assert r.status_code == 422 and "不是真正的 PDF" in r.content.decode()
    r = applicant.post(
        f"/status/{case.number}/supplement/", {f"material_{idcard.pk}": pdf("sfz.pdf")}
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "supplemented"
    case.refresh_from_db()  # recorded on the case as the applicant's own supplement
    assert case.state == State.SUBMITTED
    assert case.events.order_by("-seq").first().actor_name == "申请人(网上)"

    staff.post(f"/staff/prereview/{app.code}/act/", {"action": "confirm_supplement"})
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.promised_due is not None
    body = applicant.get(f"/status/{case.number}/").content.decode()
    assert "已受理" in body and "剩余时间" in body and "补正材料已收到" in body

    # Decide and conclude through the engine; then the applicant rates online.
    actor = pc.t1_staff.user
    case = case_transition(case=case, action="review", actor=actor)
    case = case_transition(case=case, action="decide", actor=actor, approved=True)
    case = case_transition(case=case, action="conclude", actor=actor)
    r = applicant.post(f"/status/{case.number}/rate/", {"level": "5", "comment": "很方便"})
    assert r.status_code == 302
    rating = Rating.objects.get(case=case)
    assert rating.level == 5 and rating.named
    assert "非常满意" in applicant.get(f"/status/{case.number}/").content.decode()


@pytest.mark.django_db
def test_unusable_supplement_is_noticed_again_for_what_the_first_notice_listed(client, pc):
    from bianmin.portal import services

    form, idcard = materials(pc)
    app = apply_with_form_only(client, pc)
    services.application_notice(application=app, actor=pc.t1_staff.user)
    client.post(f"/status/{app.case.number}/", {"phone_tail": "5678"})
    client.post(f"/status/{app.case.number}/supplement/", {f"material_{idcard.pk}": pdf("x.pdf")})
    app.refresh_from_db()
    assert app.status == "supplemented"
    # The scan is unreadable: a second notice may ask again for the ID card, nothing new.
    services.application_notice(application=app, actor=pc.t1_staff.user, materials=[idcard.pk])
    app.refresh_from_db()
    assert app.status == "noticed" and app.case.state == State.AWAITING_MATERIALS
    assert app.case.notices.count() == 2


@pytest.mark.django_db
def test_deemed_acceptance_of_an_unreviewed_application(client, pc):
    import datetime as dt

    from bianmin.cases.services import flags_sweep
    from bianmin.portal import services
    from bianmin.workdays.calendar import add_workdays

    form, idcard = materials(pc)
    submit(client, pc, **{f"material_{form.pk}": pdf(), f"material_{idcard.pk}": pdf()})
    app = Application.objects.get()
    arrived = app.case.submitted_on
    flags_sweep(today=add_workdays(arrived, 6).date)
    app.refresh_from_db()
    assert app.case.state == State.ACCEPTED and app.case.accepted_on == arrived
    assert isinstance(arrived, dt.date) and app.case.deemed_accepted
    # Pre-review then only records what the law already made of it.
    services.application_accept(application=app, actor=pc.t1_staff.user)
    app.refresh_from_db()
    assert app.status == "accepted" and app.case.first_responder is None


@pytest.mark.django_db
def test_accept_directly_when_complete_and_engine_refuses_when_not(client, pc):
    form, idcard = materials(pc)
    r = submit(client, pc, **{f"material_{form.pk}": pdf(), f"material_{idcard.pk}": pdf()})
    app = Application.objects.get()
    client.force_login(pc.t1_staff.user)
    client.post(f"/staff/prereview/{app.code}/act/", {"action": "accept"})
    app.refresh_from_db()
    assert app.status == "accepted" and app.case.state == State.ACCEPTED
    assert r.status_code == 302


def make_case(client, pc):
    app = apply_with_form_only(client, pc)
    from bianmin.portal import services

    services.application_notice(application=app, actor=pc.t1_staff.user)
    app.refresh_from_db()
    return app.case


@pytest.mark.django_db
def test_status_api_wrong_pair_is_the_same_404_whether_number_exists(client, pc):
    case = make_case(client, pc)
    ok = client.get(f"/api/v1/public/cases/{case.number}", {"phone_tail": "5678"})
    assert ok.status_code == 200
    data = ok.json()
    assert data["state"] == "awaiting_materials" and data["missing_materials"] == ["申请人身份证"]
    assert data["applicant"] == "张**" and "11010519491231002X" not in ok.content.decode()
    wrong_tail = client.get(f"/api/v1/public/cases/{case.number}", {"phone_tail": "0000"})
    unknown = client.get(
        "/api/v1/public/cases/HT-610702100201-20261123-AAAAAAAA-0", {"phone_tail": "5678"}
    )
    assert wrong_tail.status_code == unknown.status_code == 404
    assert wrong_tail.json() == unknown.json()


OWNER = "198.51.100.7"


def solve(challenge: dict) -> str:
    """What a person reads in the picture: the answer kept with the challenge."""
    return CaptchaStore.objects.get(hashkey=challenge["key"]).response


@pytest.mark.django_db
@override_settings(BIANMIN_STATUS_MAX_FAILURES=5, BIANMIN_STATUS_WINDOW_SECONDS=60)
def test_guessing_from_many_addresses_never_stops_the_owner(client, pc, caplog):
    case = make_case(client, pc)
    url = f"/api/v1/public/cases/{case.number}"
    with caplog.at_level(logging.WARNING, logger="bianmin.portal.status"):
        codes = [
            client.get(url, {"phone_tail": f"{1000 + i}"}, REMOTE_ADDR=f"203.0.113.{i}").status_code
            for i in range(1, 21)
        ]
    # Five wrong tails, then every guesser must first solve a picture: no more tails are tried.
    assert codes == [404] * 5 + [403] * 15
    assert sum("status lookup failed" in r.message for r in caplog.records) == 5
    assert any("asks for a challenge" in r.message for r in caplog.records)
    # The owner, from home: asked for the picture, never told to come back later.
    r = client.get(url, {"phone_tail": "5678"}, REMOTE_ADDR=OWNER)
    assert r.status_code == 403 and r.json()["code"] == "captcha_required"
    assert "图片" in r.json()["detail"] and r.json()["challenge_url"] == "/api/v1/public/challenge"
    challenge = client.get("/api/v1/public/challenge").json()
    image = client.get(challenge["image_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    wrong = {"phone_tail": "5678", "captcha_key": challenge["key"], "captcha_value": "zzzz"}
    r = client.get(url, wrong, REMOTE_ADDR=OWNER)
    assert r.status_code == 403 and r.json()["code"] == "captcha_invalid"
    challenge = client.get("/api/v1/public/challenge").json()
    answer = {"captcha_key": challenge["key"], "captcha_value": solve(challenge).upper()}
    r = client.get(url, {"phone_tail": "５６７８", **answer}, REMOTE_ADDR=OWNER)
    assert r.status_code == 200 and r.json()["number"] == case.number
    # A challenge is good for one try.
    assert client.get(url, {"phone_tail": "5678", **answer}).json()["code"] == "captcha_invalid"
    # The page asks for the same picture and then shows the case.
    r = client.post("/status/", {"number": case.number, "phone_tail": "5678"}, REMOTE_ADDR=OWNER)
    page = r.content.decode()
    assert r.status_code == 403 and "请先输入图片中的字符" in page and 'value="5678"' in page
    key = re.search(r'name="captcha_key" value="(\w+)"', page).group(1)
    r = client.post(
        "/status/",
        {
            "number": case.number,
            "phone_tail": "5678",
            "captcha_key": key,
            "captcha_value": solve({"key": key}),
        },
        REMOTE_ADDR=OWNER,
    )
    assert r.status_code == 302 and r.url == f"/status/{case.number}/"


@pytest.mark.django_db
@override_settings(
    BIANMIN_STATUS_MAX_FAILURES=2,
    BIANMIN_STATUS_FLOOD_FAILURES=4,
    BIANMIN_STATUS_WINDOW_SECONDS=600,
    BIANMIN_STATUS_BLOCK_SECONDS=120,
)
def test_an_address_that_floods_is_refused_with_retry_after_and_no_one_else(client, pc):
    case = make_case(client, pc)
    url, flood = f"/api/v1/public/cases/{case.number}", "203.0.113.66"
    assert [client.get(url, {"phone_tail": t}, REMOTE_ADDR=flood).status_code for t in "01"] == [
        404,
        404,
    ]
    bad = {"phone_tail": "0002", "captcha_key": "0" * 40, "captcha_value": "x"}
    assert [client.get(url, bad, REMOTE_ADDR=flood).json()["code"] for _ in "ab"] == [
        "captcha_invalid",
        "captcha_invalid",
    ]
    r = client.get(url, {"phone_tail": "5678"}, REMOTE_ADDR=flood)
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    assert 110 <= int(r["Retry-After"]) <= 121 and "2 分钟后再试" in r.json()["detail"]
    for page, data in [
        ("/status/", {"number": case.number, "phone_tail": "5678"}),
        ("/complaints/lookup/", {"number": "TS-20250926-AAAAAA-A", "phone_tail": "5678"}),
    ]:
        r = client.post(page, data, REMOTE_ADDR=flood)
        assert r.status_code == 429 and int(r["Retry-After"]) > 100, page
    # The number only asks for a challenge: the owner elsewhere solves it and gets through.
    challenge = client.get("/api/v1/public/challenge").json()
    answer = {"captcha_key": challenge["key"], "captcha_value": solve(challenge)}
    r = client.get(url, {"phone_tail": "5678", **answer}, REMOTE_ADDR=OWNER)
    assert r.status_code == 200


@pytest.mark.django_db
def test_rating_api(client, pc):
    case = make_case(client, pc)
    url = f"/api/v1/public/cases/{case.number}/rating"
    r = client.post(url, {"phone_tail": "5678", "level": 4}, content_type="application/json")
    assert r.status_code == 409  # not concluded yet
    actor = pc.t1_staff.user
    case = case_transition(case=case, action="supplement", actor=actor)
    for action, kw in [
        ("accept", {}),
        ("review", {}),
        ("decide", {"approved": True}),
        ("conclude", {}),
    ]:
        case = case_transition(case=case, action=action, actor=actor, **kw)
    assert (
        client.post(
            url, {"phone_tail": "0000", "level": 4}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            url, {"phone_tail": "5678", "level": 9}, content_type="application/json"
        ).status_code
        == 422
    )
    r = client.post(
        url, {"phone_tail": "5678", "level": 2, "comment": "太慢"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["level"] == 2
    r = client.post(url, {"phone_tail": "5678", "level": 4}, content_type="application/json")
    assert r.status_code == 200  # editable within the window, still one rating
    assert Rating.objects.filter(case=case, channel="online").count() == 1
