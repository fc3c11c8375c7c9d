"""The public cache (bianmin/common/public_cache.py): guides and the item API are built once per
publication for anonymous readers, and a publication shows at once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bianmin.catalog.models import ItemVersion
from bianmin.catalog.services import item_version_publish, item_version_revise


def _queries(client, path, **kw):
    with CaptureQueriesContext(connection) as q:
        r = client.get(path, **kw)
    assert r.status_code == 200
    return r, [x["sql"] for x in q.captured_queries]


def _catalog_reads(sqls):
    return [s for s in sqls if "catalog_itemversion" in s]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/guides/ZR-001/", "/guides/?q=宅基地", "/api/v1/items/ZR-001"])
def test_second_anonymous_request_is_served_from_the_cache(client, pc, path):
    first, sql1 = _queries(client, path)
    second, sql2 = _queries(client, path)
    assert _catalog_reads(sql1)
    assert not _catalog_reads(sql2)
    if path.startswith("/api/"):
        assert second.json()["name"] == "农村宅基地审批"
        # The publication stamp is all the database sees.
        assert len(sql2) == 1 and "common_adminaction" in sql2[0]
        assert second.content == first.content
    else:
        assert "农村宅基地审批" in second.content.decode()


@pytest.mark.django_db
def test_a_published_version_shows_on_the_next_request(client, pc):
    item = pc.homestead.item
    assert "农村宅基地审批" in client.get("/guides/ZR-001/").content.decode()
    assert client.get("/api/v1/items/ZR-001").json()["version"] == pc.homestead.number
    draft = item_version_revise(item=item, actor=pc.admin.user, changes={"name": "宅基地建房审批"})
    # A draft is not published: readers still see the current version.
    assert "宅基地建房审批" not in client.get("/guides/ZR-001/").content.decode()
    item_version_publish(version=draft, actor=pc.admin.user)
    assert "宅基地建房审批" in client.get("/guides/ZR-001/").content.decode()
    assert client.get("/api/v1/items/ZR-001").json()["name"] == "宅基地建房审批"
    assert "宅基地建房审批" in client.get("/guides/?q=宅基地").content.decode()


@pytest.mark.django_db
def test_signed_in_staff_are_not_served_the_cache(client, pc):
    assert "农村宅基地审批" in client.get("/guides/ZR-001/").content.decode()
    # A change written beside the services (no admin action): only an uncached build sees it.
    ItemVersion.objects.filter(pk=pc.homestead.pk).update(name="宅基地（库内改名）")
    assert "宅基地（库内改名）" not in client.get("/guides/ZR-001/").content.decode()
    staff = Client()
    staff.force_login(pc.t1_staff.user)
    body = staff.get("/guides/ZR-001/").content.decode()
    assert "宅基地（库内改名）" in body
    assert staff.get("/api/v1/items/ZR-001").json()["name"] == "宅基地（库内改名）"


@pytest.mark.django_db
def test_the_other_language_gets_its_own_page(client, pc):
    zh = client.get("/guides/ZR-001/").content.decode()
    en = client.get("/guides/ZR-001/", headers={"accept-language": "en"}).content.decode()
    assert "法定办结时限" in zh and "Statutory limit" not in zh
    assert "Statutory limit" in en and "法定办结时限" not in en
    listing = client.get("/guides/", headers={"accept-language": "en"}).content.decode()
    assert "All items" in listing


@pytest.mark.django_db
def test_a_page_built_for_another_reader_still_takes_its_own_question(pc):
    """The CSRF token is rendered per request around the shared part: a cached guide's
    question form posts."""
    Client().get("/guides/ZR-001/")
    reader = Client(enforce_csrf_checks=True)
    body = reader.get("/guides/ZR-001/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    r = reader.post(
        "/guides/ZR-001/ask/",
        {"question": "外出务工可以代办吗？", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 302


@pytest.mark.django_db
def test_boards_keep_their_catalogue_and_count_the_month_afresh(client, pc):
    for path in ("/disclosure/", f"/disclosure/{pc.tc1.code}/"):
        _first, built = _queries(client, path)
        assert [s for s in built if 'FROM "catalog_' in s], path
        second, sql = _queries(client, path)
        # (The concluded cases, read live, join their item version: only reads *from* the
        # catalogue count here.)
        assert not [s for s in sql if 'FROM "catalog_' in s], path
        assert "农村宅基地审批" in second.content.decode(), path
        # The month's figures change with every case and write no admin action: read each time.
        assert any("cases_case" in s for s in sql), path


@pytest.mark.django_db
def test_a_page_one_worker_built_serves_the_other_workers(client, pc, settings, tmp_path):
    """As deployed, the cache is files the workers of a host share: a guide another process
    built is served here without reading the catalogue (a second process is a fresh cache
    handler over the same directory)."""
    from django.core.cache import caches

    from bianmin import settings as project

    deployed = {**project.CACHES["public"], "LOCATION": str(tmp_path / "public")}
    settings.CACHES = {**settings.CACHES, "public": deployed}
    _first, built = _queries(client, "/guides/ZR-001/")
    assert _catalog_reads(built)
    assert list((tmp_path / "public").iterdir()), "the page was written where workers share it"
    # Another worker: its own handler, nothing in its memory.
    del caches["public"]
    second, sql = _queries(client, "/guides/ZR-001/")
    assert not _catalog_reads(sql)
    assert "农村宅基地审批" in second.content.decode()
