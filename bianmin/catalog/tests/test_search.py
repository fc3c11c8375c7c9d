"""`item_search`: one box that finds an item by Chinese name, pinyin, pinyin initials or code."""

import pytest

from bianmin.catalog.models import Tier
from bianmin.catalog.search import item_search, items_published_for, pinyin_keys
from bianmin.catalog.services import item_version_publish, item_version_revise
from bianmin.catalog.tests.conftest import make_item
from bianmin.common.errors import DomainError

pytestmark = pytest.mark.django_db


def names(q: str, **kw) -> list[str]:
    return [v.name for v in item_search(q=q, **kw)]


@pytest.fixture
def apply_item(catalog):
    """An item whose name holds 低保申请 as it is written (the catalog's own is 最低生活保障...)."""
    return make_item(
        catalog,
        local_code="MZ-002",
        basic_code="000000000006",
        implementation_code="11610702MB0000006X4000000000000006",
        name="农村低保申请审核",
    )


def test_pinyin_keys_are_toneless_letters_only():
    keys = pinyin_keys(1, "最低生活保障审核确认（城市低保新申请）")
    assert keys.full == "zuidishenghuobaozhangshenheque" + "renchengshidibaoxinshenqing"
    assert keys.initials == "zdshbzshqrcsdbxsq"
    assert pinyin_keys(2, "残疾证ABC-12办理").initials == "cjzabc12bl"


def test_initials_find_an_item_by_any_stretch_of_its_name(catalog, apply_item):
    assert names("dbsq") == ["农村低保申请审核"]
    assert names("zdsh") == ["最低生活保障审核确认"]
    assert names("DBSQ") == ["农村低保申请审核"]


def test_full_pinyin_without_tones(catalog, apply_item):
    assert names("dibao") == ["农村低保申请审核"]
    assert names("zuidishenghuo") == ["最低生活保障审核确认"]
    assert names("zhaijidi") == ["农村宅基地审批"]
    # Full-width letters from a Chinese input method are folded first.
    assert names("ｄｉｂａｏ") == ["农村低保申请审核"]


def test_chinese_substring_and_every_word_must_match(catalog, apply_item):
    assert set(names("低保")) == {"农村低保申请审核"}
    assert set(names("审核")) == {"最低生活保障审核确认", "农村低保申请审核"}
    assert names("审核 农村") == ["农村低保申请审核"]
    assert names("审核 dibao") == ["农村低保申请审核"]
    assert names("宅基地 林木") == []


def test_codes_exact_first_then_prefix_and_substring(catalog, apply_item):
    assert names("MZ-001") == ["最低生活保障审核确认"]
    assert names("000000000003") == ["林木采伐许可证核发"]  # basic code
    assert names("11610702MB0000002X4") == ["农村宅基地审批"]  # implementation code prefix
    assert names("mz-00") == ["最低生活保障审核确认", "农村低保申请审核"]  # by local code


def test_sparse_initials_are_the_last_resort(catalog):
    """The catalog's own 低保 item is 最低生活保障审核确认（城市低保新申请）: `dbsq` finds it only
    as 低保(新)申请, with one letter skipped, and only when nothing matches more strictly."""
    make_item(
        catalog,
        local_code="MZ-003",
        basic_code="000000000007",
        implementation_code="11610702MB0000007X4000000000000007",
        name="最低生活保障审核确认（城市低保新申请）",
    )
    assert names("dbsq") == ["最低生活保障审核确认（城市低保新申请）"]
    assert names("xyz") == []


def test_tier_narrows_to_what_a_unit_takes_in(catalog):
    # 林木采伐许可证核发 is a county item villages may not proxy; 居住证明 a village item.
    assert names("linmu", tier=Tier.COUNTY) == ["林木采伐许可证核发"]
    assert names("linmu", tier=Tier.VILLAGE) == []
    assert names("jzzm", tier=Tier.VILLAGE) == ["居住证明"]
    assert names("jzzm", tier=Tier.TOWNSHIP) == []
    # A hall's proxy intake: its own tier's items and the items villages may take.
    assert set(names("zm", tier=(Tier.TOWNSHIP, Tier.VILLAGE))) == {"居住证明"}
    assert items_published_for((Tier.TOWNSHIP, Tier.VILLAGE)).count() == 3
    with pytest.raises(DomainError):
        item_search(q="db", tier="province")
    with pytest.raises(DomainError):
        item_search(q="db", tier=(Tier.TOWNSHIP, "province"))


def test_only_current_published_versions_and_blank_finds_nothing(catalog):
    assert names("养老保险") == []  # a draft
    assert names("") == [] and names("   ") == []
    revised = item_version_revise(
        item=catalog.dibao.item,
        actor=catalog.admin.user,
        changes={"name": "最低生活保障审核确认（新版）"},
    )
    item_version_publish(version=revised, actor=catalog.admin.user)
    assert names("最低生活") == ["最低生活保障审核确认（新版）"]
    assert [v.pk for v in item_search(q="zdsh")] == [revised.pk]


def test_limit_and_a_bounded_number_of_queries(catalog, apply_item, django_assert_num_queries):
    assert len(item_search(q="审", limit=1)) == 1
    with django_assert_num_queries(2):  # the candidates, then the chosen versions with items
        found = item_search(q="sh")
        assert [v.item.local_code for v in found]
