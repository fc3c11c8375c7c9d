import pytest
from django.core.files.base import ContentFile

from bianmin.portal.models import Question
from bianmin.supervision.models import Complaint


@pytest.mark.django_db
def test_home_is_public_and_staff_go_to_workbench(client, pc):
    r = client.get("/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'href="/accounts/login/"' in body and "办事指南查询" in body
    client.force_login(pc.t1_staff.user)
    r = client.get("/")
    assert r.status_code == 302 and r.url == "/staff/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected, absent",
    [
        ({"q": "宅基地"}, ["农村宅基地审批"], ["林木采伐"]),
        ({"life_event": "farming"}, ["农村宅基地审批", "林木采伐许可证核发"], ["最低生活保障"]),
        ({"tier": "county"}, ["林木采伐许可证核发"], ["农村宅基地审批"]),
        ({"department": "D-ZR"}, ["林木采伐许可证核发"], ["农村宅基地审批"]),
    ],
)
def test_guide_search_filters(client, pc, query, expected, absent):
    body = client.get("/guides/", query).content.decode()
    for name in expected:
        assert name in body
    for name in absent:
        assert name not in body


@pytest.mark.django_db
def test_unknown_filter_is_explained_not_ignored(client, pc):
    r = client.get("/guides/", {"tier": "planet"})
    assert r.status_code == 200
    assert "未知的层级" in r.content.decode()


@pytest.mark.django_db
def test_guide_page_shows_everything_public(client, pc):
    m = pc.homestead.materials.first()
    # Template files are content, stored on the frozen version's material row by the catalog team;
    # attach one directly to test the download link (storage only, no state change).
    m.template.save("form.pdf", ContentFile(b"%PDF-1.4 template"), save=False)
    type(m).objects.filter(pk=m.pk).update(template=m.template.name)
    body = client.get("/guides/ZR-001/").content.decode()
    for text in [
        "农村宅基地审批",
        "受理条件",
        "农村宅基地和建房(规划许可)申请表",
        "武乡镇便民服务中心",  # township window
        "汉王村便民服务站",  # village station that proxies it
        "法定办结时限",
        "免费",
        "0916-12345",  # complaint phone
        "网上申报",
        "下载空白表格",
    ]:
        assert text in body, text
    r = client.get(f"/guides/ZR-001/materials/{m.pk}/template/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert client.get(f"/guides/ZR-001/materials/{m.pk}/sample/").status_code == 404


@pytest.mark.django_db
def test_county_item_shows_fee_basis_and_county_windows(client, pc):
    body = client.get("/guides/LY-001/").content.decode()
    assert "陕价费发〔2019〕1号" in body and "5.00" in body
    assert "综合受理窗口" in body and "区自然资源局" in body
    assert "汉王村便民服务站" not in body  # not village-proxyable


@pytest.mark.django_db
def test_checklist_and_unknown_item(client, pc):
    body = client.get("/guides/ZR-001/checklist/").content.decode()
    assert "一次性告知材料清单" in body and "申请人身份证" in body
    assert client.get("/guides/NOPE/").status_code == 404


@pytest.mark.django_db
def test_question_asked_answered_and_shown_only_if_allowed(client, pc):
    r = client.post(
        "/guides/ZR-001/ask/",
        {"question": "宅基地面积上限是多少？", "public_allowed": "on", "phone": "13800001111"},
    )
    assert r.status_code == 302
    client.post("/guides/ZR-001/ask/", {"question": "我家的情况能办吗？请回电"})
    public_q, private_q = Question.objects.order_by("pk")
    assert public_q.unit == pc.tc1  # the implementing unit answers
    assert client.post("/guides/ZR-001/ask/", {"question": "?"}).status_code == 422
    # An agent of a village cannot answer for the township; the township can.
    client.force_login(pc.a11.user)
    client.post(f"/staff/questions/{public_q.pk}/answer/", {"answer": "x"})
    public_q.refresh_from_db()
    assert public_q.answer == ""
    client.force_login(pc.t1_staff.user)
    for q in (public_q, private_q):
        client.post(f"/staff/questions/{q.pk}/answer/", {"answer": "每户不超过规定面积。"})
    client.logout()
    body = client.get("/guides/ZR-001/").content.decode()
    assert "宅基地面积上限是多少" in body and "我家的情况能办吗" not in body


@pytest.mark.django_db
def test_disclosure_boards(client, pc):
    body = client.get("/disclosure/").content.decode()
    assert "村(社区)代办事项" in body and "农村宅基地审批" in body and "林木采伐许可证核发" in body
    body = client.get("/disclosure/S11/").content.decode()
    assert "汉王代办员" in body and "13900000000" in body
    assert 'data-slot="duty-roster"' in body or "值班" in body
    body = client.get("/disclosure/D-ZR/").content.decode()
    assert "陕价费发〔2019〕1号" in body
    assert client.get("/disclosure/NOPE/").status_code == 404


@pytest.mark.django_db
def test_service_card_lists_agent_and_items_with_inline_qr(client, pc):
    body = client.get(f"/cards/{pc.v11.code}/").content.decode()
    assert "汉王代办员" in body and "农村宅基地审批" in body
    assert body.count("<svg") >= 2 and "/guides/ZR-001/" in body
    assert client.get("/cards/610702100000/").status_code == 404  # a township, not a village


@pytest.mark.django_db
def test_complaint_gets_tracking_number_and_keeps_input_on_error(client, pc):
    r = client.post("/complaints/", {"kind": "complaint", "unit": "", "content": "窗口态度差"})
    assert r.status_code == 422 and "窗口态度差" in r.content.decode()
    r = client.post(
        "/complaints/",
        {"kind": "complaint", "unit": "T1", "content": "窗口态度差", "phone": "13800001111"},
    )
    assert r.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.unit == pc.tc1 and complaint.number in r.content.decode()
