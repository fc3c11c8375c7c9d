"""`IdList`: more ids than SQLite takes as parameters, as one parameter, on both databases."""

import pytest

from bianmin.common.id_list import IdList
from bianmin.orgs.models import Region

pytestmark = pytest.mark.django_db


def test_rows_of_the_ids_only_whatever_their_number(django_assert_num_queries):
    regions = Region.objects.bulk_create(
        Region(code=f"6199{i:08d}", name=f"测试{i}", level="village") for i in range(40)
    )
    wanted = [r.pk for r in regions[::3]]
    # 50,000 ids that match nothing around the wanted ones: past SQLite's 32,766 parameters.
    ids = IdList([*range(10_000_000, 10_050_000), *wanted])
    with django_assert_num_queries(1):
        found = sorted(Region.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert found == sorted(wanted)
    assert list(Region.objects.filter(pk__in=IdList([]))) == []
