"""Portal test data: a small published catalog built through the catalog services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.catalog.models import CaseClass, ItemType, Tier
from bianmin.catalog.tests.conftest import make_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="申请表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="申请表.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")


def build_portal_catalog(c):
    c.homestead = make_item(
        c,
        local_code="ZR-001",
        basic_code="000000000002",
        implementation_code="11610702MB0000002X4000000000000002",
        name="农村宅基地审批",
        item_type=ItemType.LICENSING,
        implementing_unit=c.tc1,
        case_class=CaseClass.PROMISED,
        accept_tier=Tier.TOWNSHIP,
        decide_tier=Tier.TOWNSHIP,
        village_proxy=True,
        online=True,
        life_events=["housing", "farming"],
        materials=[
            {"name": "农村宅基地和建房(规划许可)申请表", "originals": 1, "copies": 0},
            {"name": "申请人身份证", "originals": 1, "copies": 1},
        ],
        fees=[{"name": "工本费", "amount": "0", "standard": "不收费"}],
        steps=[
            {"name": "受理", "tier": Tier.TOWNSHIP, "limit_days": 1},
            {"name": "审批", "tier": Tier.TOWNSHIP, "limit_days": 10},
        ],
    )
    c.forest = make_item(
        c,
        local_code="LY-001",
        basic_code="000000000003",
        implementation_code="11610702MB0000003X4000000000000003",
        name="林木采伐许可证核发",
        item_type=ItemType.LICENSING,
        implementing_unit=c.dept_land,
        accept_tier=Tier.COUNTY,
        decide_tier=Tier.COUNTY,
        village_proxy=False,
        online=True,
        life_events=["farming"],
        materials=[{"name": "林木采伐申请书", "originals": 1, "copies": 0}],
        fees=[
            {
                "name": "林木采伐许可证工本费",
                "amount": "5.00",
                "standard": "每证",
                "legal_basis": "陕价费发〔2019〕1号",
            }
        ],
    )
    c.dibao = make_item(c, local_code="MZ-001")
    return c


@pytest.fixture
def pc(county):
    """The county plus a published catalog with an online township item (宅基地)."""
    return build_portal_catalog(county)
