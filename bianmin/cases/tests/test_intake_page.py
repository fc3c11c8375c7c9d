"""The intake page (/cases/new/): one item picker, the checklist with 容缺 and 告知承诺, the
channels of a hall, and a form that keeps everything typed when it comes back with errors."""

import re

import pytest
from django.utils import timezone

from bianmin.cases.models import Case, Channel, MaterialStatus
from bianmin.cases.tests.conftest import PERSON, _item, material_id
from bianmin.workdays.calendar import add_workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, county):
    client.force_login(county.a11.user)
    return client


@pytest.fixture
def hall(client, county):
    client.force_login(county.t1_staff.user)
    return client


def post_data(version, *, materials=None, **over) -> dict:
    """A complete intake POST for `version`: a person, every material provided."""
    data = {
        "item": str(version.pk),
        "applicant_kind": PERSON["applicant_kind"],
        "applicant_name": PERSON["applicant_name"],
        "id_number": PERSON["id_number"],
        "phone": PERSON["phone"],
        "entrusted": "on",
    }
    for m in version.materials.all():
        data[f"material_{m.pk}"] = MaterialStatus.PROVIDED
    data.update(materials or {})
    data.update(over)
    return data


def item_inputs(html: str) -> list[str]:
    """Every form control named `item` in the page (the one item field)."""
    return re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="item"[^>]*>', html)


def test_page_has_one_item_field_and_a_search_box(agent):
    r = agent.get("/cases/new/")
    html = r.content.decode()
    assert r.status_code == 200
    assert len(item_inputs(html)) == 1 and 'type="hidden"' in item_inputs(html)[0]
    # The search box belongs to the GET search form, never to the POST.
    assert re.search(r'<input type="search" id="item-q" name="item_q" form="item-search"', html)
    assert 'hx-get="/cases/new/items/"' in html


def test_search_fragment_finds_by_pinyin_and_initials_within_the_units_items(agent, items):
    for q in ("最低生活", "zuidi", "zdsh", "PRM001"):
        html = agent.get("/cases/new/items/", {"item_q": q}).content.decode()
        assert "城乡居民最低生活保障审批" in html, q
        assert f'hx-get="/cases/new/pick/?item={items.promised.pk}"' in html
        assert f'href="/cases/new/?item={items.promised.pk}"' in html
    # A county-accepted item the village may not proxy is not the village's to take.
    _item(
        "CTY009",
        None,
        name="建设工程规划许可",
        case_class="promised",
        accept_tier="county",
        decide_tier="county",
        implementing_unit=items.county_item.implementing_unit,
        promised_limit=5,
        statutory_limit=20,
        village_proxy=False,
        steps=[],
    )
    html = agent.get("/cases/new/items/", {"item_q": "jsgc"}).content.decode()
    assert "建设工程规划许可" not in html and "没有找到" in html


def test_picking_an_item_returns_the_item_field_and_its_checklist(agent, items):
    r = agent.get("/cases/new/pick/", {"item": items.promised.pk})
    html = r.content.decode()
    assert r.status_code == 200
    assert item_inputs(html) == [
        f'<input type="hidden" name="item" id="id_item" value="{items.promised.pk}">'
    ]
    assert '<div id="materials" hx-swap-oob="true">' in html
    assert '<div id="item-results" aria-live="polite" hx-swap-oob="true"></div>' in html
    household = material_id(items.promised, "户口簿")
    income = material_id(items.promised, "收入证明")
    photo = material_id(items.promised, "照片")
    # 容缺 where the catalog allows it, 告知承诺 on a pledgeable material of a pledge item.
    assert f'name="material_{household}" value="deferred"' in html
    assert f'name="material_{household}_days"' in html and 'value="5"' in html
    assert "本人承诺在约定期限内补交“户口簿”" in html
    assert f'name="material_{income}" value="pledged"' in html
    assert f'name="material_{photo}" value="deferred"' not in html
    assert f'name="material_{photo}" value="pledged"' not in html
    assert html.count('class="req" title="必要材料"') == 4  # four required rows of five
    assert agent.get("/cases/new/pick/", {"item": 999999}).content.decode().count("不在本单位") == 1


def test_without_javascript_search_and_choice_are_plain_get_requests(agent, items):
    html = agent.get("/cases/new/", {"item_q": "生活保障"}).content.decode()
    assert f'href="/cases/new/?item={items.promised.pk}"' in html
    html = agent.get("/cases/new/", {"item": items.promised.pk}).content.decode()
    assert item_inputs(html) == [
        f'<input type="hidden" name="item" id="id_item" value="{items.promised.pk}">'
    ]
    assert "户口簿" in html and "收入证明" in html


def test_a_refused_form_keeps_everything_typed(agent, items):
    v = items.promised
    household, income = material_id(v, "户口簿"), material_id(v, "收入证明")
    photo = material_id(v, "照片")
    data = post_data(
        v,
        id_number="110105194912310021",  # wrong check character
        address="汉王村三组",
        entrustment_text="代为提交低保申请",
        materials={
            f"material_{household}": "deferred",
            f"material_{household}_days": "3",
            f"material_{household}_deferral": "三日内补交户口簿（自拟）",
            f"material_{income}": "pledged",
            f"material_{income}_pledge": "收入属实（自拟）",
            f"material_{photo}": "missing",
        },
    )
    r = agent.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 400 and Case.objects.count() == 0
    assert "居民身份证号校验位错误" in html
    assert item_inputs(html) == [f'<input type="hidden" name="item" id="id_item" value="{v.pk}">']
    for kept in (
        'value="110105194912310021"',
        f'value="{PERSON["applicant_name"]}"',
        'value="汉王村三组"',
        "代为提交低保申请</textarea>",
        f'name="material_{household}" value="deferred" checked',
        f'name="material_{household}_days" value="3"',
        "三日内补交户口簿（自拟）</textarea>",
        f'name="material_{income}" value="pledged" checked',
        "收入属实（自拟）</textarea>",
        f'name="material_{photo}" value="missing" checked',
    ):
        assert kept in html, kept
    assert re.search(r'<input type="checkbox" name="entrusted"[^>]*checked', html)


def test_every_row_must_be_checked(agent, items):
    data = post_data(items.promised)
    del data[f"material_{material_id(items.promised, '申请表')}"]
    r = agent.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 400 and Case.objects.count() == 0
    assert "请逐项核对材料" in html and "请核对“申请表”的情况" in html


def test_a_deferred_row_is_saved_with_its_due_date_and_commitment(agent, county, items):
    v = items.promised
    household = material_id(v, "户口簿")
    data = post_data(
        v,
        materials={
            f"material_{household}": "deferred",
            f"material_{household}_days": "3",
            f"material_{household}_deferral": "本人承诺三个工作日内补交户口簿",
        },
    )
    r = agent.post("/cases/new/", data)
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/"
    row = case.materials.get(material_id=household)
    assert row.status == MaterialStatus.DEFERRED
    assert row.due_on == add_workdays(timezone.localdate(), 3).date
    assert row.commitment == "本人承诺三个工作日内补交户口簿"
    assert case.materials.exclude(pk=row.pk).filter(status="provided").count() == 4
    assert case.channel == Channel.PROXY and case.agent == county.a11


def test_deferral_beyond_the_promised_limit_is_refused_next_to_the_checklist(agent, items):
    household = material_id(items.promised, "户口簿")
    data = post_data(
        items.promised,
        materials={f"material_{household}": "deferred", f"material_{household}_days": "11"},
    )
    r = agent.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 422 and Case.objects.count() == 0
    errors = html[html.index('id="materials-errors"') :]
    assert "容缺材料的补交期限应为1至10个工作日" in errors[:300]


def test_a_pledge_on_a_high_risk_item_is_refused_with_a_message(agent, county):
    risky = _item(
        "RSK001",
        county,
        name="危险化学品经营许可初审",
        case_class="promised",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=county.dept_social,
        promised_limit=10,
        statutory_limit=20,
        high_risk=True,
        # The catalog cannot publish a pledgeable material on a high-risk item (nor allow
        # pledges on one): a pledge can only arrive as a forged or stale post.
        materials=[{"name": "安全评价报告", "required": True}],
        steps=[],
    )
    m = risky.materials.get()
    page = agent.get("/cases/new/pick/", {"item": risky.pk}).content.decode()
    assert f'name="material_{m.pk}" value="pledged"' not in page  # not offered
    data = post_data(
        risky,
        materials={f"material_{m.pk}": "pledged", f"material_{m.pk}_pledge": "本人承诺属实"},
    )
    r = agent.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 422 and Case.objects.count() == 0
    assert "“安全评价报告”不适用告知承诺" in html
    assert html.index("不适用告知承诺") > html.index('id="materials-errors"')


def test_an_item_outside_the_units_list_is_refused(agent, county, items):
    closed = _item(
        "CTY010",
        county,
        name="不可代办事项",
        case_class="promised",
        accept_tier="county",
        decide_tier="county",
        implementing_unit=county.dept_social,
        promised_limit=5,
        statutory_limit=20,
        village_proxy=False,
        steps=[],
    )
    r = agent.post("/cases/new/", post_data(closed))
    assert r.status_code == 400 and Case.objects.count() == 0
    assert "所选事项不在本单位可办理的范围内" in r.content.decode()
    r = agent.post("/cases/new/", {**post_data(items.promised), "item": ""})
    assert r.status_code == 400 and "请先搜索并选择办理事项" in r.content.decode()


def test_station_has_no_channel_choice_and_always_proxies(agent, items):
    html = agent.get("/cases/new/").content.decode()
    assert 'name="channel"' not in html
    r = agent.post("/cases/new/", post_data(items.promised, channel="window"))
    assert r.status_code == 302 and Case.objects.get().channel == Channel.PROXY


def test_a_hall_offers_its_channels_and_opens_a_proxy_case(hall, county, items):
    html = hall.get("/cases/new/").content.decode()
    for value, label in (
        ("window", "窗口"),
        ("appointment", "预约"),
        ("home_visit", "上门服务"),
        ("proxy", "代办"),
    ):
        assert re.search(rf'<option value="{value}"[^>]*>{label}', html), value
    assert 'value="online"' not in html
    data = post_data(items.promised, channel="proxy", entrustment_text="代为申请低保并领取结果")
    del data["entrusted"]
    r = hall.post("/cases/new/", data)
    assert r.status_code == 422 and "代办须有申请人签署的委托书" in r.content.decode()
    r = hall.post("/cases/new/", {**data, "entrusted": "on"})
    case = Case.objects.get()
    assert r.status_code == 302
    assert case.channel == Channel.PROXY and case.intake_unit == county.tc1
    assert case.agent == county.t1_staff and case.entrustment_signed
    assert case.entrustment_text == "代为申请低保并领取结果"


def test_a_hall_takes_village_proxy_items_only_as_a_proxy(hall, county, items):
    """就业创业证申领 is accepted by the county: the township hall finds it (the items villages
    may take), marked as proxy only, and may register it only on the proxy channel."""
    v = items.county_item
    html = hall.get("/cases/new/items/", {"item_q": "jiuye"}).content.decode()
    assert "就业创业证申领" in html and "仅可代办" in html
    own = hall.get("/cases/new/items/", {"item_q": "最低生活"}).content.decode()
    assert "城乡居民最低生活保障审批" in own and "仅可代办" not in own
    assert "本单位不受理此事项" in hall.get("/cases/new/pick/", {"item": v.pk}).content.decode()
    r = hall.post("/cases/new/", post_data(v, channel="window"))
    html = r.content.decode()
    assert r.status_code == 400 and Case.objects.count() == 0
    assert "本单位不受理该事项，只能受申请人委托以“代办”渠道登记" in html
    assert re.search(r'<option value="window" selected>', html)  # the choice is kept
    r = hall.post("/cases/new/", post_data(v, channel="proxy"))
    case = Case.objects.get()
    assert r.status_code == 302 and case.channel == Channel.PROXY and case.agent == county.t1_staff


def test_a_window_case_at_a_hall_carries_no_entrustment(hall, items):
    r = hall.post("/cases/new/", post_data(items.promised, channel="window"))
    case = Case.objects.get()
    assert r.status_code == 302
    assert case.channel == Channel.WINDOW and case.agent is None and not case.entrustment_signed


def test_phone_and_id_fields_suit_a_phone_keypad(agent):
    html = agent.get("/cases/new/").content.decode()
    phone = re.search(r'<input type="tel" name="phone"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in phone and 'autocomplete="tel"' in phone
    assert 'maxlength="13"' in phone
    id_input = re.search(r'<input type="text" name="id_number"[^>]*>', html).group(0)
    assert 'inputmode="numeric"' in id_input and 'maxlength="18"' in id_input
    assert 'class="xkey" data-append="X" data-target="id_id_number"' in html
    assert 'maxlength="18"' in re.search(r'<input[^>]*name="credit_code"[^>]*>', html).group(0)


def test_only_staff_who_may_open_cases_reach_the_picker(client, county, items):
    client.force_login(county.supervisor.user)
    assert client.get("/cases/new/items/", {"item_q": "db"}).status_code == 403
    assert client.get("/cases/new/pick/", {"item": items.promised.pk}).status_code == 403
    client.logout()
    assert client.get("/cases/new/items/", {"item_q": "db"}).status_code == 302


def test_the_pages_carry_no_inline_code_the_policy_blocks(client, county, items):
    """The picker's script carries the request's nonce; htmx is told not to add inline styles."""
    from bianmin.tests_security import csp

    client.force_login(county.t1_staff.user)
    for url in (
        "/cases/new/",
        f"/cases/new/?item={items.promised.pk}",
        "/cases/new/?item_q=zuidi",
        f"/cases/new/pick/?item={items.promised.pk}",
        "/cases/new/items/?item_q=zuidi",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert csp.violations(r.content.decode(), r["Content-Security-Policy"]) == [], url
    html = client.get("/cases/new/").content.decode()
    assert " onchange=" not in html and " onclick=" not in html
    assert '"includeIndicatorStyles":false' in html


def test_photos_taken_at_intake_travel_with_the_case(agent, items, settings, tmp_path):
    """The capture widget's uploads (`material_files_<id>`) go to `case_register(files=...)`."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (600, 400), "white").save(buf, format="JPEG")
    household = material_id(items.promised, "户口簿")
    data = post_data(items.promised)
    data[f"material_files_{household}"] = SimpleUploadedFile("p1.jpg", buf.getvalue(), "image/jpeg")
    data[f"material_source_{household}"] = "camera"
    html = agent.get("/cases/new/", {"item": items.promised.pk}).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert f'name="material_files_{household}"' in html
    r = agent.post("/cases/new/", data)
    case = Case.objects.get()
    assert r.status_code == 302
    assert [f.material.material_id for f in case.files.all()] == [household]
