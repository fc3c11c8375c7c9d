"""Published catalog item versions, made by the catalog's own services."""

import factory

from bianmin.catalog.models import CaseClass, ItemType, ItemVersion, PowerSource, Tier
from bianmin.catalog.services import item_version_create, item_version_publish


class ItemFactory(factory.Factory):
    """A complete, valid promised item (最低生活保障审核确认), accepted at the township and decided
    by the county civil affairs bureau, published by the county administrator.

    `county` is the namespace of `bianmin.conftest.build_county`: it gives the default implementing
    unit and the publisher. `publish=False` leaves the version a draft; `actor` is who publishes
    (the administrator by default, None for the system). Traits: `township` (武乡镇 takes it in
    and decides), `plain` (the identity card only, no steps). Every other keyword is a field of the
    version or its materials, fees, steps and joint units, as `item_version_create` takes them.
    """

    class Meta:
        model = ItemVersion

    class Params:
        county = None
        # Taken in and decided by 武乡镇's centre.
        township = factory.Trait(
            implementing_unit=factory.LazyAttribute(lambda o: o.county.tc1),
            accept_tier=Tier.TOWNSHIP,
            decide_tier=Tier.TOWNSHIP,
        )
        # Only the identity card to bring, and no step limits of its own.
        plain = factory.Trait(
            materials=factory.LazyFunction(lambda: [{"name": "居民身份证", "required": True}]),
            steps=factory.LazyFunction(list),
        )

    local_code = factory.Sequence(lambda n: f"ITEM-{n + 1:03d}")
    basic_code = factory.Sequence(lambda n: f"{n + 1:012d}")
    implementation_code = factory.Sequence(lambda n: f"11610702MB0000001X4{n + 1:015d}")
    name = "最低生活保障审核确认"
    item_type = ItemType.CONFIRMATION
    service_objects = factory.LazyFunction(lambda: ["1"])
    power_source = PowerSource.STATUTORY
    legal_basis = "《社会救助暂行办法》第十一条"
    implementing_unit = factory.LazyAttribute(lambda o: o.county.dept_civil)
    acceptance_conditions = "共同生活的家庭成员人均收入低于当地低保标准"
    statutory_limit = 30
    promised_limit = 20
    case_class = CaseClass.PROMISED
    accept_tier = Tier.TOWNSHIP
    decide_tier = Tier.COUNTY
    village_proxy = True
    online = False
    life_events = factory.LazyFunction(lambda: ["assistance"])
    contact_phone = "0916-2222222"
    complaint_phone = "0916-12345"
    materials = factory.LazyFunction(
        lambda: [
            {"name": "居民身份证", "originals": 1, "copies": 1},
            {"name": "户口簿", "originals": 1, "copies": 1},
            {"name": "家庭收入情况声明", "deferrable": True, "copies": 0, "originals": 1},
        ]
    )
    fees = factory.LazyFunction(list)
    steps = factory.LazyFunction(
        lambda: [
            {"name": "受理", "tier": Tier.TOWNSHIP, "limit_days": 1},
            {"name": "审核", "tier": Tier.TOWNSHIP, "limit_days": 9},
            {"name": "审批", "tier": Tier.COUNTY, "limit_days": 10},
        ]
    )
    joint_units = ()
    # Not fields: how the version is published (popped in `_create`).
    publish = True
    actor = factory.LazyAttribute(lambda o: o.county.admin.user if o.county else None)

    @classmethod
    def _create(cls, model_class, *args, publish=True, actor=None, **fields) -> ItemVersion:
        version = item_version_create(**fields)
        if publish:
            item_version_publish(version=version, actor=actor)
            version.refresh_from_db()
        return version

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("ItemFactory only creates: a version exists once the services made it")
