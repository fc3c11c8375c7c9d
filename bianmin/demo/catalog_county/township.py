"""Township-decided items asked for at the township centre, and the county's information
disclosure requests (one per department)."""

from ..departments import DEPARTMENTS
from ..templates import (
    GOV_INFO,
    HB,
    ID,
    LAND_ADMIN,
    T,
)

# Township-decided services that the villager must ask for in person at the township centre.
# fmt: off
TOWNSHIP_ITEMS: list[T] = [
    T("村民一事一议筹资筹劳方案审核", "NN", "promised", "10", "township", "township", 20, 10, "《村民一事一议筹资筹劳管理办法》",
      ("方案", "村民会议记录", "~预算说明"), objects="9", power="2"),
    T("村集体经济组织三资事项审核", "NN", "promised", "10", "township", "township", 15, 10,
      "《农村集体经济组织财务制度》（财农〔2021〕121号）", ("审核申请", "会议记录", "~合同草案"), variants=("资产处置", "资金支出", "资源发包"),
      objects="9", power="2"),
    T("农村集体经济组织成员身份确认备案", "NN", "promised", "07", "township", "township", 20, 10,
      "《中华人民共和国农村集体经济组织法》", ("确认申请表", ID, HB, "~成员大会决议"), events=("household", "farming"),
      power="2"),
    T("乡镇企业用地选址初审", "ZR", "escalated", "01", "township", "county", 20, 15, f"{LAND_ADMIN}第六十条",
      ("申请书", "项目说明", "~用地位置图"), objects="25", power="2"),
    T("临时占用道路审批（乡道村道）", "JT", "promised", "01", "township", "township", 10, 5, "《中华人民共和国公路法》第四十五条",
      ("申请书", "占用方案", "~安全保障措施"), objects="125", power="2"),
    T("房前屋后零星用地协调", "ZR", "reply", "20", "township", "township", 15, 10, LAND_ADMIN,
      ("申请书", ID, "~四邻意见"), events=("housing",), power="2"),
]
# fmt: on

REPLY_ITEMS: list[T] = [
    T(
        "政府信息公开申请",
        d.key,
        "reply",
        "20",
        "county",
        "county",
        20,
        15,
        GOV_INFO,
        ("政府信息公开申请表", "申请人身份证明", "~所需信息的描述"),
        objects="12345",
        variants=(d.short_name,),
        events=("certificate",),
    )
    for d in DEPARTMENTS
]
