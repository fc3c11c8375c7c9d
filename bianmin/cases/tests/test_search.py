"""Staff case search: /cases/ and GET /api/v1/cases share `selectors.case_list` (one box for
number, name, ID number and phone; filters; keyset pages), always inside the viewer's scope and
with ID numbers and phones masked."""

import datetime as dt

import pytest
from django.utils import timezone

from bianmin.cases import selectors
from bianmin.cases.services import case_register
from bianmin.cases.tests.conftest import all_provided
from bianmin.common.errors import ValidationFailed

pytestmark = pytest.mark.django_db

ZHANG_ID, LI_ID = "11010519491231002X", "440524188001010014"
CREDIT = "91350100M000100Y43"


def open_case(staff, version, *, channel="proxy", **kw):
    fields = {
        "applicant_kind": "person",
        "applicant_name": "张三",
        "id_number": ZHANG_ID,
        "phone": "13800000001",
        **kw,
    }
    return case_register(
        actor=staff.user,
        item_version=version,
        channel=channel,
        materials=all_provided(version),
        entrustment_signed=channel == "proxy",
        **fields,
    )


@pytest.fixture
def cases(county, items):
    """张三 at 汉王村, 李四 at 谢村 (both township 1), a window case and an enterprise at the
    township centre, and 赵六 at 花园村 in township 2."""
    c = county
    return {
        "zhang": open_case(c.a11, items.promised),
        "li": open_case(
            c.a12, items.promised, applicant_name="李四", id_number=LI_ID, phone="13912345678"
        ),
        "wang": open_case(
            c.t1_staff,
            items.immediate,
            channel="window",
            applicant_name="王五",
            id_number=LI_ID,
            phone="029-88886666",
        ),
        "firm": open_case(
            c.t1_staff,
            items.reply,
            channel="window",
            applicant_kind="enterprise",
            applicant_name="汉台区张记农资有限公司",
            id_number="",
            credit_code=CREDIT,
            contact="张经理",
            phone="13700005678",
        ),
        "zhao": open_case(c.a21, items.promised, applicant_name="赵六", phone="13600001111"),
    }


def found(viewer, **kw) -> set[str]:
    return {r.number for r in selectors.case_list(viewer=viewer.user, **kw).items}


def test_one_box_finds_number_name_id_and_phone(county, cases):
    t1 = county.t1_staff
    zhang, li = cases["zhang"].number, cases["li"].number
    assert found(t1, q=zhang) == {zhang}
    assert found(t1, q=zhang.lower()) == {zhang}  # any case
    prefix = zhang[: zhang.rindex("-")]  # all but the check character
    assert zhang in found(t1, q=prefix.lower())
    assert found(t1, q="HT-") >= {zhang, li}
    assert found(t1, q="张") == {zhang, cases["firm"].number}  # name contains
    assert found(t1, q="李 四") == {li}  # spaces typed in a name are ignored
    assert found(t1, q=ZHANG_ID) == {zhang}
    assert found(t1, q=ZHANG_ID.lower()) == {zhang}  # x read as X
    assert found(t1, q="１１０１０５１９４９１２３１００２ｘ") == {zhang}  # full-width
    assert found(t1, q=LI_ID) == {li, cases["wang"].number}
    assert found(t1, q=CREDIT.lower()) == {cases["firm"].number}
    assert found(t1, q="13912345678") == {li}  # phone, exact
    assert found(t1, q="5678") == {li, cases["firm"].number}  # last 4 digits
    assert found(t1, q="345678") == {li}
    assert found(t1, q="029-88886666") == {cases["wang"].number}  # landline as written
    assert found(t1, q="88886666") == {cases["wang"].number}
    assert found(t1, q="678") == set()  # fewer than 4 digits is no phone tail
    assert found(t1, q="110105194912310021") == set()  # an ID number matches exactly only


def test_search_never_leaves_the_viewers_scope(county, cases):
    zhang = cases["zhang"]
    # 谢村's agent: 张三's case is 汉王村's.
    for q in (zhang.number, "张三", ZHANG_ID, "13800000001", "0001"):
        assert found(county.a12, q=q) == set(), q
    assert found(county.a11, q="张三") == {zhang.number}
    assert found(county.a11, q="赵六") == set()  # another township's village
    assert found(county.t2_staff, q="赵六") == {cases["zhao"].number}
    assert found(county.t2_staff, q="张三") == set()
    assert found(county.supervisor, q="张三") == {zhang.number}  # the whole county


def test_filters_item_channel_dates_state_queue(county, cases, items):
    t1 = county.t1_staff
    today = timezone.localdate()
    window = {cases["wang"].number, cases["firm"].number}
    assert found(t1, channel="window") == window
    assert found(t1, channel="proxy", q="张三") == {cases["zhang"].number}
    assert found(t1, item="居住证明") == {cases["wang"].number}
    assert found(t1, item="最低生活", q="李四") == {cases["li"].number}
    assert len(found(t1, submitted_from=today, submitted_to=today)) == 4
    assert found(t1, submitted_from=(today + dt.timedelta(days=1)).isoformat()) == set()
    assert found(t1, submitted_to=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert found(t1, state="submitted", channel="window") == window
    assert found(t1, queue="to_accept", q="王五") == {cases["wang"].number}
    assert found(t1, overdue=True, q="张三") == set()


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "办理渠道无效"),
        ({"submitted_from": "2026-13-01"}, "submitted_from", "日期格式不正确"),
        ({"submitted_from": "2026-03-02", "submitted_to": "2026-03-01"}, "submitted_to", "截止"),
        ({"state": "lost"}, "state", "状态无效"),
        ({"queue": "lost"}, "queue", "工作队列无效"),
        ({"q": "张" * 51}, "q", "查询内容不能超过50个字符"),
    ],
)
def test_bad_filter_values_are_refused_in_chinese(county, kw, field, message):
    with pytest.raises(ValidationFailed) as e:
        selectors.case_list(viewer=county.t1_staff.user, **kw)
    assert e.value.field == field and message in e.value.message


def test_search_pages_by_the_cursor(county, cases):
    t1 = county.t1_staff.user
    whole = [r.number for r in selectors.case_list(viewer=t1, q="HT-").items]
    first = selectors.case_list(viewer=t1, q="HT-", limit=3)
    second = selectors.case_list(viewer=t1, q="HT-", limit=3, cursor=first.next_cursor)
    assert len(whole) == 4 and second.next_cursor is None
    assert [r.number for r in (*first.items, *second.items)] == whole  # newest first, once each


def test_list_page_searches_and_masks(client, county, cases):
    client.force_login(county.t1_staff.user)
    r = client.get("/cases/", {"q": "张三"})
    html = r.content.decode()
    assert r.status_code == 200
    assert cases["zhang"].number in html and cases["li"].number not in html
    assert "110105********002X" in html and ZHANG_ID not in html
    assert "138****0001" in html and "13800000001" not in html
    assert 'data-label="办件编号"' in html and 'value="张三"' in html
    html = client.get("/cases/", {"q": "0001"}).content.decode()  # a phone tail
    assert cases["zhang"].number in html


def test_list_page_filters_keep_values_and_refuse_bad_ones(client, county, cases):
    client.force_login(county.t1_staff.user)
    html = client.get("/cases/", {"channel": "window", "item": "居住"}).content.decode()
    assert cases["wang"].number in html and cases["firm"].number not in html
    assert '<option value="window" selected>' in html and 'value="居住"' in html
    assert "<details open>" in html  # the filters stay open while in use
    for params, message in (
        ({"channel": "fax"}, "办理渠道无效：fax"),
        ({"from": "03/01/2026"}, "“起始日期”应为日期，格式 YYYY-MM-DD"),
        ({"to": "9999-12-31"}, "“截止日期”应在 1949-10-01 至"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "截止日期不能早于起始日期"),
        ({"overdue": "maybe"}, "超期筛选值无效"),
        ({"queue": "bogus"}, "工作队列无效"),
        ({"colour": "purple"}, "时限颜色无效：purple"),
        ({"region": "999"}, "区划 999 不存在"),
        ({"unit": "abc"}, "单位编号无效：abc"),
    ):
        r = client.get("/cases/", params)
        assert r.status_code == 422 and message in r.content.decode(), params
    r = client.get("/cases/", {"overdue": "1"})
    assert r.status_code == 200 and "暂无办件" in r.content.decode()
    # The dashboard's filters narrow the list, say so, and ride along with the search form.
    r = client.get("/cases/", {"region": county.t1.code, "own": "1", "colour": "green"})
    body = r.content.decode()
    assert r.status_code == 200 and "区划：武乡镇（本级）" in body and "时限：正常" in body
    assert '<input type="hidden" name="colour" value="green">' in body


def test_an_agent_never_finds_another_villages_case_on_the_page(client, county, cases):
    client.force_login(county.a12.user)
    for q in (cases["zhang"].number, "张三", ZHANG_ID):
        html = client.get("/cases/", {"q": q}).content.decode()
        assert f'href="/cases/{cases["zhang"].number}/"' not in html and "暂无办件" in html, q


def test_api_search_uses_the_same_selector(client, county, cases, token_for):
    h = token_for("t01-staff")
    body = client.get("/api/v1/cases", {"q": "张三"}, **h).json()
    assert [c["number"] for c in body["items"]] == [cases["zhang"].number]
    assert body["items"][0]["id_number"] == "110105********002X"
    assert body["items"][0]["phone"] == "138****0001"
    body = client.get("/api/v1/cases", {"q": "5678", "channel": "window"}, **h).json()
    assert [c["number"] for c in body["items"]] == [cases["firm"].number]
    today = timezone.localdate().isoformat()
    body = client.get(
        "/api/v1/cases", {"submitted_from": today, "item": "最低", "limit": 1}, **h
    ).json()
    assert len(body["items"]) == 1 and body["next_cursor"]
    r = client.get("/api/v1/cases", {"channel": "fax"}, **h)
    assert r.status_code == 422 and r.json()["field"] == "channel"
    assert r.json()["code"] == "invalid_choice" and "'window'" in r.json()["detail"]
    r = client.get("/api/v1/cases", {"submitted_to": "yesterday"}, **h)
    assert r.status_code == 422 and r.json()["field"] == "submitted_to"
    assert r.json()["code"] == "invalid_date" and "YYYY-MM-DD" in r.json()["detail"]
    agent = token_for("v0102-agent")
    assert client.get("/api/v1/cases", {"q": ZHANG_ID}, **agent).json()["items"] == []


def test_an_id_number_typed_in_full_width_is_the_same_number(county, items):
    case = open_case(county.a11, items.promised, id_number="１１０１０５１９４９１２３１００２X")
    assert case.id_number == ZHANG_ID
    assert found(county.t1_staff, q=ZHANG_ID) == {case.number}
