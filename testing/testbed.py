"""A small served county for the fault tests: `python -m testing.testbed` on a migrated DB.

Builds the test county of bianmin/conftest.py (password "test-pass-123") through the services and
publishes two items at 武乡镇: an immediate one (accept and conclude on the spot) and a promised
one decided by 区民政局, then prints their version ids and the unit ids as JSON.
"""

import json
import os


def build() -> dict:
    from django.db import transaction

    from bianmin.catalog.services import item_version_create, item_version_publish
    from bianmin.conftest import build_county

    with transaction.atomic():
        c = build_county()
        common = {
            "item_type": "20",
            "service_objects": ["1"],
            "power_source": "1",
            "legal_basis": "《示例条例》",
            "village_proxy": True,
            "accept_tier": "township",
        }
        immediate = item_version_publish(
            version=item_version_create(
                local_code="IMM001",
                basic_code="000000IMM001",
                implementation_code="6107020IMM001",
                name="开具居住证明",
                case_class="immediate",
                decide_tier="township",
                implementing_unit=c.tc1,
                promised_limit=0,
                statutory_limit=5,
                materials=[
                    {"name": "居民身份证", "required": True},
                    {"name": "申请表", "required": True},
                ],
                **common,
            )
        )
        promised = item_version_publish(
            version=item_version_create(
                local_code="PRM001",
                basic_code="000000PRM001",
                implementation_code="6107020PRM001",
                name="城乡居民最低生活保障审批",
                case_class="promised",
                decide_tier="county",
                implementing_unit=c.dept_civil,
                promised_limit=10,
                statutory_limit=20,
                result_is_certificate=True,
                result_name="低保证",
                materials=[
                    {"name": "居民身份证", "required": True},
                    {"name": "申请表", "required": True},
                    {"name": "户口簿", "required": True},
                ],
                steps=[
                    {"name": "受理", "tier": "township", "limit_days": 1},
                    {"name": "审核", "tier": "county", "limit_days": 4},
                    {"name": "决定", "tier": "county", "limit_days": 5},
                ],
                **common,
            )
        )
    return {
        "immediate": {
            "version": immediate.pk,
            "materials": [m.pk for m in immediate.materials.all()],
        },
        "promised": {
            "version": promised.pk,
            "materials": [m.pk for m in promised.materials.all()],
        },
        "units": {"tc1": c.tc1.pk, "dept_civil": c.dept_civil.pk},
    }


def main() -> None:
    # testing.settings_faults hashes the fixture passwords quickly; the server must use it too.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testing.settings_faults")
    import django

    django.setup()
    print(json.dumps(build()))  # noqa: T201


if __name__ == "__main__":
    main()
