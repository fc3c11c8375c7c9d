"""The workbook's sheets and columns (docs/catalog.md), and a problem found in one of its rows."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import CaseClass, ItemType, LifeEvent, PowerSource, ServiceObject, Tier

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "材料"
SHEET_FEES = "收费"
SHEET_STEPS = "环节"
SHEET_CODES = "代码表"
KEY = "本地编码"
LIST_SEP = "、"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    kind: str  # str | int | bool | decimal | choice | codes | unit | units | window | file
    choices: type | None = None
    required: bool = False  # the header must be present in the sheet


# Headers are fixed Chinese strings, not gettext: the workbook is a data format and must read the
# same whatever the UI language.
ITEM_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("基本编码", "basic_code", "str", required=True),
    Column("实施编码", "implementation_code", "str", required=True),
    Column("事项名称", "name", "str", required=True),
    Column("事项类型", "item_type", "choice", ItemType, required=True),
    Column("服务对象", "service_objects", "codes", ServiceObject),
    Column("权力来源", "power_source", "choice", PowerSource, required=True),
    Column("设定依据", "legal_basis", "str", required=True),
    Column("实施主体", "implementing_unit", "unit", required=True),
    Column("受理条件", "acceptance_conditions", "str"),
    Column("法定办结时限(工作日)", "statutory_limit", "int", required=True),
    Column("承诺办结时限(工作日)", "promised_limit", "int", required=True),
    Column("办件类型", "case_class", "choice", CaseClass, required=True),
    Column("联办部门", "joint_units", "units"),
    Column("受理层级", "accept_tier", "choice", Tier, required=True),
    Column("办理(决定)层级", "decide_tier", "choice", Tier, required=True),
    Column("县级收件窗口", "county_window", "window"),
    Column("村级可代办", "village_proxy", "bool"),
    Column("可网上申报", "online", "bool"),
    Column("可告知承诺", "pledge_allowed", "bool"),
    Column("高风险事项", "high_risk", "bool"),
    Column("主题(人生事件)", "life_events", "codes", LifeEvent),
    Column("咨询电话", "contact_phone", "str"),
    Column("投诉电话", "complaint_phone", "str"),
    Column("办理地点", "location", "str"),
    Column("审批结果名称", "result_name", "str"),
    Column("结果为证照", "result_is_certificate", "bool"),
    Column("备注", "notes", "str"),
)
MATERIAL_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("序号", "position", "int"),
    Column("材料名称", "name", "str", required=True),
    Column("必要", "required", "bool"),
    Column("可容缺", "deferrable", "bool"),
    Column("可告知承诺", "pledgeable", "bool"),
    Column("原件份数", "originals", "int"),
    Column("复印件份数", "copies", "int"),
    Column("来源渠道", "source", "str"),
    Column("空白表格", "template", "file"),
    Column("示例样表", "sample", "file"),
    Column("填报须知", "note", "str"),
)
FEE_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("收费项目", "name", "str", required=True),
    Column("收费标准(元)", "amount", "decimal", required=True),
    Column("标准说明", "standard", "str"),
    Column("收费依据", "legal_basis", "str"),
)
STEP_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("序号", "position", "int"),
    Column("环节", "name", "str", required=True),
    Column("层级", "tier", "choice", Tier, required=True),
    Column("环节时限(工作日)", "limit_days", "int"),
)
SHEETS = {
    SHEET_ITEMS: ITEM_COLUMNS,
    SHEET_MATERIALS: MATERIAL_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_STEPS: STEP_COLUMNS,
}
# Cells a spreadsheet would otherwise turn into numbers (leading zeros, long digit strings).
TEXT_KINDS = {"str", "choice", "codes", "unit", "units", "window", "file"}
# A missing cell takes the model's default rather than failing as "not a number".
DEFAULTS = {"required": True, "copies": 1, "originals": 0, "limit_days": 0}


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("“%(s)s”表第%(r)s行") % {"s": self.sheet, "r": self.row}
        return f"{where} {self.field}：{self.message}" if self.field else f"{where}：{self.message}"
