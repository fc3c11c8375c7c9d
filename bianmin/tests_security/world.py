"""A small world for the page access matrix, built through the real services.

Every caller sits in 武乡镇 (township 1): the agent of 汉王村, the township's window staff, the civil
affairs bureau (民政局) approver, plus the county-wide supervisor and administrator. Each object the
pages name exists twice: a "home" one inside those callers' scope and an "away" one in 河东店镇
(township 2, village 花园村), which only the county-wide roles may see.

The away applicant's name, ID number and case number are markers: no page a scoped caller opens
may contain them.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bianmin.conftest import build_county

HOME_ID = "11010519491231002X"
AWAY_ID = "440524188001010014"
HOME_NAME = "王本村"
AWAY_NAME = "赵外乡"
MONTH = "2026-09"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _person(name, id_number, phone):
    return {
        "applicant_kind": "person",
        "applicant_name": name,
        "id_number": id_number,
        "phone": phone,
    }


HOME = _person(HOME_NAME, HOME_ID, "13800001111")
AWAY = _person(AWAY_NAME, AWAY_ID, "13800002222")


def _apply_online(pc, region_code: str, person: dict):
    """An online application through the public form, as a villager would submit it."""
    from bianmin.portal.models import Application

    form, _idcard = pc.homestead.materials.order_by("position")
    before = set(Application.objects.values_list("pk", flat=True))
    r = Client().post(
        "/apply/ZR-001/",
        {
            **person,
            "region": region_code,
            "address": "一组",
            "subject": "新建住房",
            f"material_{form.pk}": SimpleUploadedFile("申请表.pdf", PDF, "application/pdf"),
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    return Application.objects.exclude(pk__in=before).get()


def jpeg_page() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buf, format="JPEG")
    return buf.getvalue()


def material_file_add(case, staff):
    """A photographed page of the case's first material (网上传件), through the engine."""
    from bianmin.cases.services import case_transition

    row = case.materials.order_by("pk").first()
    case_transition(
        case=case,
        action="upload",
        actor=staff.user,
        material=row.material_id,
        files=[jpeg_page()],
        source="camera",
    )
    return row.files.order_by("-pk").first()


def build_world() -> SimpleNamespace:
    from bianmin.cases.services import case_register, case_transition, errand_register
    from bianmin.portal.tests.conftest import build_portal_catalog

    c = build_county()
    pc = build_portal_catalog(c)  # homestead (township, online, proxy) etc.
    w = SimpleNamespace(c=c, pc=pc)
    item = pc.homestead
    provided = {m.pk: "provided" for m in item.materials.all()}

    def proxy_case(agent, person):
        return case_register(
            actor=agent.user,
            item_version=item,
            channel="proxy",
            materials=provided,
            entrustment_signed=True,
            **person,
        )

    w.case = {"home": proxy_case(c.a11, HOME), "away": proxy_case(c.a21, AWAY)}

    # A county item accepted at township 1 and referred to the civil affairs bureau: the
    # approver's "home" case. Township 2's referred case of the land bureau is not its business.
    from bianmin.catalog.tests.conftest import make_item

    dibao = make_item(
        c,
        local_code="SEC-MZ",
        name="最低生活保障审批",
        implementing_unit=c.dept_civil,
        accept_tier="township",
        decide_tier="county",
        case_class="promised",
        promised_limit=10,
        statutory_limit=20,
    )

    def referred(staff, person):
        case = case_register(
            actor=staff.user,
            item_version=dibao,
            channel="window",
            materials={m.pk: "provided" for m in dibao.materials.all()},
            **person,
        )
        case = case_transition(case=case, action="accept", actor=staff.user)
        return case_transition(case=case, action="forward", actor=staff.user)

    w.referred = {"home": referred(c.t1_staff, HOME), "away": None}

    w.file = {
        side: material_file_add(w.case[side], agent)
        for side, agent in (("home", c.a11), ("away", c.a21))
    }

    w.errand = {
        "home": errand_register(
            actor=c.a11.user,
            kind="pay",
            person_name=HOME_NAME,
            subject="代缴电费",
            phone="13800001111",
        ),
        "away": errand_register(
            actor=c.a21.user,
            kind="pay",
            person_name=AWAY_NAME,
            subject="代缴电费",
            phone="13800002222",
        ),
    }

    # Concluded immediate cases with a bad rating: a rectification for each township.
    from bianmin.ratings.models import Rectification
    from bianmin.ratings.services import rating_submit

    quick = make_item(
        c,
        local_code="SEC-JB",
        name="开具居住证明",
        case_class="immediate",
        accept_tier="township",
        decide_tier="township",
        promised_limit=0,
        statutory_limit=5,
        materials=[{"name": "居民身份证", "originals": 1, "copies": 0}],
        steps=[{"name": "受理", "tier": "township", "limit_days": 1}],
    )

    def rectification(staff, person):
        case = case_register(
            actor=staff.user,
            item_version=quick,
            channel="window",
            materials={m.pk: "provided" for m in quick.materials.all()},
            **person,
        )
        case = case_transition(case=case, action="accept", actor=staff.user)
        case = case_transition(case=case, action="conclude", actor=staff.user)
        rating = rating_submit(
            case=case, level=1, comment="态度差", phone_tail=person["phone"][-4:]
        )
        return Rectification.objects.get(rating=rating)

    w.rect = {"home": rectification(c.t1_staff, HOME), "away": rectification(c.t2_staff, AWAY)}

    from bianmin.supervision.services.complaints import complaint_file

    w.complaint = {
        "home": complaint_file(
            kind="complaint", unit=c.tc1, content="窗口无人", name=HOME_NAME, phone="13800001111"
        ),
        "away": complaint_file(
            kind="complaint", unit=c.tc2, content="窗口无人", name=AWAY_NAME, phone="13800002222"
        ),
    }

    from bianmin.staffing.services.attendance import leave_request

    def leave(staff):
        return leave_request(
            actor=staff.user,
            kind="sick",
            start=dt.date(2026, 10, 12),
            end=dt.date(2026, 10, 13),
            reason="发烧",
            document=SimpleUploadedFile("病假证明.pdf", PDF, "application/pdf"),
        )

    w.leave = {"home": leave(c.t1_staff), "away": leave(c.t2_staff)}

    from bianmin.staffing.models import AssessmentScheme
    from bianmin.staffing.services.assessment import DEFAULT_SCHEME, assessment_run

    # A scheme (as an administrator keeps it in the admin site) that pays even the lowest grade,
    # so this small world, where no agent has concluded a case, still gets a subsidy plan.
    AssessmentScheme.objects.create(
        name="测试方案",
        weights=DEFAULT_SCHEME["weights"],
        bands=DEFAULT_SCHEME["bands"],
        grade_factors={g: 1 for g in DEFAULT_SCHEME["grade_factors"]},
        base_points=10,
    )

    from django.utils import timezone

    today = timezone.localdate()
    rows = {
        a.staff_id: a
        for a in assessment_run(actor=c.admin.user, start=dt.date(today.year, 1, 1), end=today)
    }
    w.assessment = {"home": rows.get(c.a11.pk), "away": rows.get(c.a21.pk)}

    from bianmin.staffing.services.assessment import subsidy_allocate

    w.subsidy = subsidy_allocate(
        actor=c.admin.user, county=c.county, year=today.year, budget=Decimal("1000")
    )

    w.application = {
        "home": _apply_online(pc, c.v11.code, HOME),
        "away": _apply_online(pc, c.v21.code, AWAY),
    }
    w.app_file = {k: a.files.first() for k, a in w.application.items()}

    from bianmin.portal.services import home_visit_request, question_ask

    w.question = question_ask(
        item_version=item, question="要带户口本吗？", asker_name="李", phone="13800003333"
    )

    def visit(station, person):
        return home_visit_request(
            station=station,
            item_version=item,
            reason="elderly",
            name=person["applicant_name"],
            id_number=person["id_number"],
            phone=person["phone"],
            address="一组",
        )

    w.home_visit = {"home": visit(c.s11, HOME), "away": visit(c.s21, AWAY)}
    w.village = {"home": c.v11, "away": c.v21}
    w.township = {"home": c.tc1, "away": c.tc2}
    w.staff = {"home": c.t1_staff, "away": c.t2_staff}

    from bianmin.staffing.services.training import training_session_create

    def training(attendees):  # held by the approval bureau for one township's staff
        return training_session_create(
            actor=c.admin.user,
            topic="代办业务培训",
            organiser=c.centre,
            date=today,
            hours="2",
            attendees=attendees,
        )

    w.training = {"home": training([c.a11, c.t1_staff]), "away": training([c.a21, c.t2_staff])}
    return w
