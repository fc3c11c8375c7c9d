"""The page access matrix: one entry per named page route of the URL configuration.

`test_page_matrix.py` walks `get_resolver()` and fails for a route that has no entry here (and for
an entry whose route is gone). Each entry says who may use the page and how to build its URL for
the caller's own ("home") object and for one outside the caller's scope ("away"); see world.py.

Roles: anonymous, agent (村代办员), township (乡镇窗口), approver (县部门审批), supervisor (监察),
admin (管理员). Supervisor and admin are county-wide: "away" objects are inside their scope.
The admin site (admin/), the JSON API (api/v1/, covered by bianmin/api/tests/test_access_matrix.py)
and static/media are not pages of this matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from bianmin.common.challenge import challenge_new

ANONYMOUS = "anonymous"
AGENT, TOWNSHIP, APPROVER, SUPERVISOR, ADMIN = (
    "agent",
    "township",
    "approver",
    "supervisor",
    "admin",
)
STAFF = frozenset({AGENT, TOWNSHIP, APPROVER, SUPERVISOR, ADMIN})
SCOPED = frozenset({AGENT, TOWNSHIP, APPROVER})  # roles with an "away" outside their scope
COUNTY_WIDE = STAFF - SCOPED
PUBLIC = None

Url = Callable[..., str]  # (world, side, role) -> path


@dataclass(frozen=True)
class Page:
    """`roles`: who may use the page on a home object (None: public, no login).
    `away`: the URL names an object or place, so scoped roles must be refused the away one.
    `shows_id`: the page may show a full ID number to those allowed (True), or to these roles
    only: the pre-review of an online application (staff compare it with the uploaded ID card)
    and the case page for the deciding unit while it decides (cases/privacy.py); every other page
    masks it.
    """

    roles: frozenset | None
    url: Url
    method: str = "GET"
    data: dict | Callable | None = None
    away: bool = True
    shows_id: bool | frozenset = False
    to_login: bool = False  # a public page that ends at the login page (log out)
    note: str = ""
    extra: dict = field(default_factory=dict)


def may_show_id(page: Page, role) -> bool:
    return page.shows_id is True or (isinstance(page.shows_id, frozenset) and role in page.shows_id)


def _fixed(path: str) -> Url:
    return lambda w, side, role: path


def fixed(roles, path, **kw) -> Page:
    return Page(roles, _fixed(path), away=False, **kw)


def _case(w, side, role):
    if role == APPROVER and side == "home":
        return w.referred["home"]  # a department sees the cases routed to it
    return w.case[side]


def _month(w, side, role, unit=None):
    return f"{(unit or w.township[side]).pk}/2026-09"


def _document(w, side, role):
    case = _case(w, side, role)
    # The proxy register exists from intake; a window case has its receipt once accepted.
    return f"/cases/{case.number}/documents/{'receipt' if case.accepted_on else 'register'}/"


HANDLERS = frozenset({AGENT, TOWNSHIP, APPROVER, ADMIN})  # may open cases (not the supervisor)
# Who sees the village's proxy case (a department sees only the cases routed to it).
CASE_VIEWERS = frozenset({AGENT, TOWNSHIP, SUPERVISOR, ADMIN})


def _jpeg_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .world import jpeg_page

    return SimpleUploadedFile("page.jpg", jpeg_page(), content_type="image/jpeg")


def _fresh_file(w, side):
    from .world import material_file_add

    return material_file_add(w.case[side], w.c.a11 if side == "home" else w.c.a21)


def _someone_elses_token(w) -> int:
    """A token of agent v0202, who is none of the matrix's roles."""
    from bianmin.api.models import ApiToken, password_stamp

    user = w.c.a22.user
    token = ApiToken.objects.filter(user=user).first() or ApiToken.objects.create(
        user=user,
        key_hash="0" * 64,
        prefix="matrix00",
        expires_at=w.c.a22.created_at.replace(year=2100),
        password_stamp=password_stamp(user),
    )
    return token.pk


MANAGERS = frozenset({SUPERVISOR, ADMIN})
# The township hall and the county-wide roles: pre-review, complaints, ratings, reports, sheets.
HALLS = frozenset({TOWNSHIP, SUPERVISOR, ADMIN})
TRUSTEES = frozenset({TOWNSHIP, ADMIN})  # 三资托管: the township holds the village's books
VILLAGE_WORKERS = frozenset({AGENT, TOWNSHIP})  # mediation records are confidential to these
NOBODY: frozenset = frozenset()  # only a unit head (not one of the matrix roles)

MATRIX: dict[str, Page] = {
    # -- i18n, portal: public pages --------------------------------------------------------
    "set_language": fixed(PUBLIC, "/i18n/setlang/", method="POST", data={"language": "en"}),
    "portal:index": fixed(PUBLIC, "/"),
    "captcha-image": Page(
        PUBLIC,
        lambda w, side, role: challenge_new()["image_url"],
        away=False,
        note="the picture challenge of the public lookups (a PNG drawn by this server)",
    ),
    "captcha-image-2x": Page(
        PUBLIC, lambda w, side, role: challenge_new()["image_url_2x"], away=False
    ),
    "portal:login": fixed(PUBLIC, "/accounts/login/"),
    "portal:logout": fixed(PUBLIC, "/accounts/logout/", method="POST", to_login=True),
    # Two-factor login: each signed-in person's own settings; the code step sends a session
    # that needs no code on to its landing page.
    "portal:login_code": fixed(STAFF, "/accounts/login/code/"),
    "portal:twofactor": fixed(STAFF, "/accounts/two-factor/"),
    "portal:twofactor_codes": fixed(STAFF, "/accounts/two-factor/codes/"),
    "portal:guide_list": fixed(PUBLIC, "/guides/?q=宅基地"),
    "portal:guide_detail": fixed(PUBLIC, "/guides/ZR-001/"),
    "portal:guide_checklist": fixed(PUBLIC, "/guides/ZR-001/checklist/"),
    "portal:material_file": Page(
        PUBLIC,
        lambda w, side, role: (
            f"/guides/ZR-001/materials/{w.pc.homestead.materials.first().pk}/template/"
        ),
        away=False,
        note="a blank form template; 404 when the material has none",
    ),
    "portal:question_ask": fixed(PUBLIC, "/guides/ZR-001/ask/", method="POST", data={}),
    "portal:disclosure_county": fixed(PUBLIC, "/disclosure/"),
    "portal:disclosure_unit": Page(
        PUBLIC, lambda w, side, role: f"/disclosure/{w.township[side].code}/", away=False
    ),
    "portal:disclosure_cases": Page(
        PUBLIC,
        lambda w, side, role: f"/disclosure/{w.township[side].code}/cases/received/",
        away=False,
    ),
    "portal:service_cards": fixed(PUBLIC, "/cards/"),
    "portal:service_card": Page(
        PUBLIC, lambda w, side, role: f"/cards/{w.village[side].code}/", away=False
    ),
    "portal:complaint_file": fixed(PUBLIC, "/complaints/"),
    "portal:complaint_lookup": fixed(PUBLIC, "/complaints/lookup/"),
    "portal:appointment_book": fixed(PUBLIC, "/appointments/"),
    "portal:appointment_manage": fixed(
        PUBLIC, "/appointments/NOSUCHCODE/", note="the code is the secret; unknown is 404"
    ),
    "portal:home_visit": fixed(PUBLIC, "/home-visit/"),
    "portal:apply": fixed(PUBLIC, "/apply/ZR-001/"),
    "portal:apply_autosave": fixed(
        PUBLIC, "/apply/ZR-001/autosave/", method="POST", data={"subject": "x"}
    ),
    "portal:application_detail": Page(
        PUBLIC,
        lambda w, side, role: f"/applications/{w.application[side].code}/",
        away=False,
        note="the applicant's own page; its random code is the credential",
    ),
    "portal:status_lookup": fixed(PUBLIC, "/status/"),
    "portal:status_detail": Page(
        PUBLIC,
        lambda w, side, role: f"/status/{w.case[side].number}/",
        away=False,
        note="shows the case only after the phone's last four digits are posted",
    ),
    "portal:status_supplement": Page(
        PUBLIC,
        lambda w, side, role: f"/status/{w.case[side].number}/supplement/",
        method="POST",
        data={},
        away=False,
    ),
    "portal:status_rate": Page(
        PUBLIC,
        lambda w, side, role: f"/status/{w.case[side].number}/rate/",
        method="POST",
        data={},
        away=False,
    ),
    "ratings:follow_up": fixed(PUBLIC, "/ratings/follow-up/"),
    "reports:public": fixed(PUBLIC, "/reports/public/"),
    "reports:public_unit": Page(
        PUBLIC, lambda w, side, role: f"/reports/public/{w.township[side].pk}/", away=False
    ),
    "staffing:public_roster": Page(
        PUBLIC,
        lambda w, side, role: f"/staffing/public/roster/{w.township[side].code}/2026-09/",
        away=False,
    ),
    "affairs:board": Page(
        PUBLIC, lambda w, side, role: f"/affairs/board/{w.village[side].code}/", away=False
    ),
    # -- staff home and the cases app --------------------------------------------------------
    "portal:staff_home": fixed(STAFF, "/staff/"),
    "portal:password_change": fixed(STAFF, "/accounts/password/"),
    "portal:tokens": fixed(STAFF, "/accounts/tokens/"),
    "portal:token_revoke": Page(
        NOBODY,
        lambda w, side, role: f"/accounts/tokens/{_someone_elses_token(w)}/revoke/",
        method="POST",
        away=False,
        note="only the owner revokes a token; another person's is not found",
    ),
    "portal:token_revoke_all": fixed(STAFF, "/accounts/tokens/revoke-all/", method="POST"),
    "portal:admin_log": fixed(MANAGERS, "/staff/admin-log/"),
    "cases:list": fixed(STAFF, "/cases/"),
    "cases:queues": fixed(STAFF, "/cases/queues/"),
    "cases:intake": fixed(HANDLERS, "/cases/new/"),
    "cases:ledger": fixed(STAFF, "/cases/ledger/"),
    "cases:detail": Page(
        STAFF,
        lambda w, side, role: f"/cases/{_case(w, side, role).number}/",
        shows_id=frozenset({APPROVER}),  # the approver's home case is with it to decide
    ),
    "cases:action": Page(
        frozenset({AGENT, TOWNSHIP, APPROVER}),
        lambda w, side, role: f"/cases/{_case(w, side, role).number}/actions/assign/",
        method="POST",
    ),
    "cases:document": Page(
        STAFF,
        _document,
    ),
    "cases:errand_list": fixed(STAFF, "/cases/errands/list/"),
    "cases:errand_money_xlsx": fixed(STAFF, "/cases/errands/money.xlsx"),
    "cases:errand_money_print": fixed(STAFF, "/cases/errands/money/print/"),
    "cases:errand_detail": Page(
        STAFF - {APPROVER}, lambda w, side, role: f"/cases/errands/{w.errand[side].number}/"
    ),
    "cases:errand_action": Page(
        frozenset({AGENT}),
        lambda w, side, role: f"/cases/errands/{w.errand[side].number}/money/",
        method="POST",
        data={"direction": "in", "amount": "10.00", "party": "电力公司"},
    ),
    # 网上传件: a material's file opened inline (logged), its thumbnail, an upload, a review.
    "cases:material_file": Page(
        CASE_VIEWERS, lambda w, side, role: f"/cases/{w.case[side].number}/files/{w.file[side].pk}/"
    ),
    "cases:material_file_thumb": Page(
        CASE_VIEWERS,
        lambda w, side, role: f"/cases/{w.case[side].number}/files/{w.file[side].pk}/thumb/",
    ),
    "cases:material_upload": Page(
        frozenset({AGENT, TOWNSHIP}),
        lambda w, side, role: (
            f"/cases/{w.case[side].number}/materials/{w.file[side].material.material_id}/files/"
        ),
        method="POST",
        data=lambda w: {
            f"material_files_{w.file['home'].material.material_id}": _jpeg_upload(),
            f"material_source_{w.file['home'].material.material_id}": "scanner",
        },
    ),
    # A fresh file for every request: a file is judged once.
    "cases:material_file_review": Page(
        frozenset({TOWNSHIP}),
        lambda w, side, role: (
            f"/cases/{w.case[side].number}/files/{_fresh_file(w, side).pk}/review/"
        ),
        method="POST",
        data={"verdict": "accepted"},
    ),
    "cases:intake_items": fixed(HANDLERS, "/cases/new/items/?item_q=db"),
    "cases:intake_pick": fixed(HANDLERS, "/cases/new/pick/?item=0"),
    # -- supervision -------------------------------------------------------------------------
    "supervision:dashboard": fixed(STAFF, "/supervision/"),
    "supervision:alerts": fixed(STAFF, "/supervision/alerts/"),
    "supervision:queue": fixed(STAFF, "/supervision/queue/"),
    "supervision:queue_print": fixed(STAFF, "/supervision/queue/print/"),
    "supervision:notifications": fixed(STAFF, "/supervision/notifications/"),
    "supervision:complaints": fixed(STAFF, "/supervision/complaints/"),
    "supervision:complaint_detail": Page(
        HALLS, lambda w, side, role: f"/supervision/complaints/{w.complaint[side].number}/"
    ),
    "supervision:complaint_action": Page(
        HALLS,
        lambda w, side, role: f"/supervision/complaints/{w.complaint[side].number}/decide/",
        method="POST",
        data={"note": "已核实", "outcome": "not_upheld"},
    ),
    # -- ratings -------------------------------------------------------------------------------
    "ratings:queue": fixed(STAFF, "/ratings/"),
    "ratings:stats": fixed(STAFF, "/ratings/stats/"),
    # The rating pad (评价器) handed over at the intake unit: the page says when the case cannot
    # be rated on site yet.
    "ratings:onsite": Page(
        CASE_VIEWERS, lambda w, side, role: f"/ratings/onsite/{w.case[side].number}/"
    ),
    "ratings:onsite_done": Page(
        CASE_VIEWERS, lambda w, side, role: f"/ratings/onsite/{w.case[side].number}/done/"
    ),
    "ratings:detail": Page(HALLS, lambda w, side, role: f"/ratings/{w.rect[side].pk}/"),
    "ratings:act": Page(
        HALLS,
        lambda w, side, role: f"/ratings/{w.rect[side].pk}/act/",
        method="POST",
        data={"action": "call_back"},
    ),
    # -- reports -------------------------------------------------------------------------------
    "reports:monthly_list": fixed(STAFF, "/reports/monthly/"),
    "reports:monthly_detail": Page(
        HALLS, lambda w, side, role: f"/reports/monthly/{_month(w, side, role)}/"
    ),
    "reports:monthly_action": Page(
        HALLS,
        lambda w, side, role: f"/reports/monthly/{_month(w, side, role)}/act/",
        method="POST",
        data={"action": "generate"},
    ),
    # -- staffing ------------------------------------------------------------------------------
    "staffing:me": fixed(STAFF, "/staffing/"),
    "staffing:sign": fixed(STAFF, "/staffing/sign/in/", method="POST"),
    "staffing:leave_new": fixed(STAFF, "/staffing/leave/new/", method="POST", data={}),
    "staffing:leaves": fixed(STAFF, "/staffing/leave/"),
    "staffing:leave_document": Page(
        frozenset({TOWNSHIP, ADMIN}),
        lambda w, side, role: f"/staffing/leave/{w.leave[side].pk}/document/",
    ),
    "staffing:leave_action": Page(
        frozenset({TOWNSHIP}),
        lambda w, side, role: f"/staffing/leave/{w.leave[side].pk}/cancel/",
        method="POST",
        note="only the person who asked may cancel",
    ),
    "staffing:sheet_now": Page(
        HALLS, lambda w, side, role: f"/staffing/attendance/{w.township[side].pk}/"
    ),
    "staffing:sheet": Page(
        HALLS, lambda w, side, role: f"/staffing/attendance/{_month(w, side, role)}/"
    ),
    "staffing:training": fixed(STAFF, "/staffing/training/"),
    "staffing:training_new": Page(
        frozenset({ADMIN}),
        lambda w, side, role: "/staffing/training/new/",
        method="POST",
        data=lambda w: {
            "organiser": w.c.centre.pk,
            "topic": "业务培训",
            "date": "2026-09-10",
            "hours": "2",
            "attendees": [w.c.a11.pk],
        },
        away=False,
        note="held by the approval bureau (county centre): recorded by its administrator",
    ),
    "staffing:training_mine": fixed(STAFF, "/staffing/training/mine/"),
    "staffing:training_session": Page(
        STAFF - {APPROVER},
        lambda w, side, role: f"/staffing/training/{w.training[side].pk}/",
        note="seen by the organiser's scope and by the attendees' (a department: its own)",
    ),
    "staffing:training_attend": Page(
        frozenset({ADMIN}),
        lambda w, side, role: f"/staffing/training/{w.training[side].pk}/attend/",
        method="POST",
        data=lambda w: {"attendees": [w.c.a12.pk]},
        away=False,
        note="only the organiser's heads and administrators",
    ),
    "staffing:training_person": Page(
        HALLS, lambda w, side, role: f"/staffing/training/person/{w.staff[side].pk}/"
    ),
    "staffing:training_shortfall": fixed(STAFF, "/staffing/training/shortfall/"),
    "staffing:assessment": fixed(STAFF, "/staffing/assessment/"),
    "staffing:assessment_run": fixed(
        frozenset({ADMIN}),
        "/staffing/assessment/run/",
        method="POST",
        data={"start": "2026-01-01", "end": "2026-06-30"},
    ),
    "staffing:assessment_detail": Page(
        STAFF - {APPROVER}, lambda w, side, role: f"/staffing/assessment/{w.assessment[side].pk}/"
    ),
    "staffing:assessment_adjust": Page(
        NOBODY,
        lambda w, side, role: f"/staffing/assessment/{w.assessment[side].pk}/adjust/",
        method="POST",
        data={"adjustment": "1", "reason": "表现突出"},
    ),
    "staffing:subsidies": fixed(STAFF, "/staffing/subsidy/"),
    "staffing:subsidy_new": fixed(
        frozenset({ADMIN}),
        "/staffing/subsidy/new/",
        method="POST",
        data={"county": "610702000000", "year": "2026", "budget": "1000"},
    ),
    "staffing:subsidy": Page(
        MANAGERS,
        lambda w, side, role: f"/staffing/subsidy/{w.subsidy.pk}/",
        away=False,
        note="what each village agent is paid: county-wide roles, not a county department",
    ),
    "staffing:roster_index": fixed(STAFF, "/staffing/roster/"),
    "staffing:roster_generate_all": fixed(
        frozenset({ADMIN}), "/staffing/roster/generate-all/", method="POST"
    ),
    "staffing:roster_gaps": fixed(STAFF, "/staffing/roster/gaps/"),
    "staffing:roster_unit": Page(
        HALLS, lambda w, side, role: f"/staffing/roster/{_month(w, side, role)}/"
    ),
    "staffing:roster_xlsx": Page(
        HALLS, lambda w, side, role: f"/staffing/roster/{_month(w, side, role)}/roster.xlsx"
    ),
    "staffing:roster_print": Page(
        HALLS, lambda w, side, role: f"/staffing/roster/{_month(w, side, role)}/print/"
    ),
    "staffing:roster_action": Page(
        frozenset({ADMIN}),
        lambda w, side, role: f"/staffing/roster/{_month(w, side, role)}/generate/",
        method="POST",
    ),
    # -- village affairs -----------------------------------------------------------------------
    "affairs:trusteeship": Page(
        TRUSTEES, lambda w, side, role: f"/affairs/{w.village[side].code}/custody/"
    ),
    "affairs:journal_xlsx": Page(
        TRUSTEES,
        lambda w, side, role: f"/affairs/{w.village[side].code}/custody/journal.xlsx",
    ),
    "affairs:journal_print": Page(
        TRUSTEES,
        lambda w, side, role: f"/affairs/{w.village[side].code}/custody/journal/print/",
    ),
    "affairs:trusteeship_action": Page(
        TRUSTEES,
        lambda w, side, role: f"/affairs/{w.village[side].code}/custody/entry/",
        method="POST",
        data={"date": "2026-09-01", "direction": "in", "amount": "1", "summary": "测试"},
    ),
    "affairs:mediation": Page(
        VILLAGE_WORKERS, lambda w, side, role: f"/affairs/{w.village[side].code}/mediation/"
    ),
    "affairs:mediation_action": Page(
        VILLAGE_WORKERS,
        lambda w, side, role: f"/affairs/{w.village[side].code}/mediation/new/",
        method="POST",
        data={},
    ),
    "affairs:deliberations": Page(
        VILLAGE_WORKERS, lambda w, side, role: f"/affairs/{w.village[side].code}/deliberations/"
    ),
    "affairs:deliberation_action": Page(
        VILLAGE_WORKERS,
        lambda w, side, role: f"/affairs/{w.village[side].code}/deliberations/new/",
        method="POST",
        data={},
    ),
    # -- portal staff pages --------------------------------------------------------------------
    "portal:prereview_list": fixed(STAFF, "/staff/prereview/"),
    "portal:prereview_detail": Page(
        HALLS,
        lambda w, side, role: f"/staff/prereview/{w.application[side].code}/",
        shows_id=True,
    ),
    "portal:prereview_act": Page(
        HALLS,
        lambda w, side, role: f"/staff/prereview/{w.application[side].code}/act/",
        method="POST",
        data={"action": "notice"},
    ),
    "portal:application_file": Page(
        HALLS, lambda w, side, role: f"/staff/files/{w.app_file[side].pk}/"
    ),
    "portal:question_list": fixed(STAFF, "/staff/questions/"),
    "portal:question_answer": Page(
        HALLS,
        lambda w, side, role: f"/staff/questions/{w.question.pk}/answer/",
        method="POST",
        data={"answer": "要带"},
        away=False,
    ),
    "portal:home_visit_list": fixed(STAFF, "/staff/home-visits/"),
    "portal:home_visit_register": Page(
        STAFF - {APPROVER},
        lambda w, side, role: f"/staff/home-visits/{w.home_visit[side].code}/register/",
        method="POST",
        data={},
    ),
}

# Form POSTs that still answer a refused caller with a redirect and an error message (302, nothing
# changed) instead of 403/404. A known gap, listed so it cannot grow: a POST route refused by a
# redirect that is not listed here fails the matrix. Remove an entry when its page answers 403.
REFUSED_BY_REDIRECT: frozenset[str] = frozenset()
