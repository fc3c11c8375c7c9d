from bianmin.catalog.services import item_version_publish, item_version_revise


def test_list_is_public_paginated_and_published_only(client, catalog):
    r = client.get("/api/v1/items")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 4 and body["offset"] == 0
    assert [i["code"] for i in body["items"]] == ["CJ-001", "LY-001", "MZ-001", "ZR-001"]
    assert "RS-001" not in {i["code"] for i in body["items"]}
    r = client.get("/api/v1/items?limit=2&offset=2")
    body = r.json()
    assert body["total"] == 4 and [i["code"] for i in body["items"]] == ["MZ-001", "ZR-001"]


def test_list_filters_and_chinese_search(client, catalog):
    r = client.get("/api/v1/items", {"tier": "village", "q": "宅基地"})
    body = r.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["name"] == "农村宅基地审批" and item["fee"] == "免费"
    assert item["case_class"] == {"code": "joint", "label": "联办件"}
    r = client.get("/api/v1/items", {"tier": "county"})
    assert [i["code"] for i in r.json()["items"]] == ["LY-001"]
    assert r.json()["items"][0]["fee"] == "林木采伐许可证工本费 5.00元（每证）"
    r = client.get("/api/v1/items", {"department": "D-MZ", "life_event": "assistance"})
    assert [i["code"] for i in r.json()["items"]] == ["MZ-001"]


def test_unknown_tier_is_422_naming_the_field(client, catalog):
    r = client.get("/api/v1/items?tier=province")
    assert r.status_code == 422
    assert r.json()["field"] == "tier" and r.json()["code"] == "invalid_choice"
    assert "village" in r.json()["detail"]


def test_bad_limit_is_rejected(client, catalog):
    assert client.get("/api/v1/items?limit=0").status_code == 422
    assert client.get("/api/v1/items?limit=100000").status_code == 422


def test_detail_has_public_fields(client, catalog):
    r = client.get("/api/v1/items/ZR-001")
    assert r.status_code == 200
    d = r.json()
    assert d["name"] == "农村宅基地审批" and d["version"] == 1
    assert d["statutory_limit"] == 30 and d["promised_limit"] == 20
    assert d["implementing_unit"] == "区自然资源局"
    assert d["implementing_unit_detail"]["code"] == "D-ZR"
    assert [u["name"] for u in d["joint_departments"]] == ["区民政局", "区人社局"]
    assert [m["name"] for m in d["materials"]] == [
        "农村宅基地和建房(规划许可)申请表",
        "申请人身份证",
    ]
    assert d["materials"][0]["originals"] == 1 and d["materials"][0]["template_url"] is None
    assert d["fee"] == "免费" and d["fees"][0]["name"] == "工本费"
    assert [s["name"] for s in d["steps"]] == ["受理", "审核", "审批"]
    assert d["item_type"] == {"code": "01", "label": "行政许可"}
    assert d["power_source"]["label"] == "法定本级行使"
    assert d["service_objects"] == [{"code": "1", "label": "自然人"}]
    assert {e["code"] for e in d["life_events"]} == {"housing", "farming"}
    assert d["complaint_phone"] == "0916-12345"


def test_detail_by_basic_code_and_no_fee_at_all(client, catalog):
    r = client.get("/api/v1/items/000000000004")
    assert r.status_code == 200
    assert r.json()["code"] == "CJ-001" and r.json()["fees"] == [] and r.json()["fee"] == "免费"


def test_unknown_code_and_draft_are_404_json(client, catalog):
    r = client.get("/api/v1/items/NOPE")
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    assert client.get("/api/v1/items/RS-001").status_code == 404


def test_new_draft_does_not_leak_until_published(client, catalog):
    draft = item_version_revise(
        item=catalog.forest.item, actor=None, changes={"name": "林木采伐许可证核发（试行）"}
    )
    assert client.get("/api/v1/items/LY-001").json()["name"] == "林木采伐许可证核发"
    assert client.get("/api/v1/items", {"q": "试行"}).json()["total"] == 0
    item_version_publish(version=draft, actor=None)
    d = client.get("/api/v1/items/LY-001").json()
    assert d["name"] == "林木采伐许可证核发（试行）" and d["version"] == 2
