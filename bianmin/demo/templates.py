"""The shape of an item template in the demo catalog data modules.

A template is one service of the county list; its variants (子项) become separate items named
"name（variant）", as the provincial implementation lists split them.

Material names carry two optional markers: a leading "~" marks a non-key material that may follow
later (容缺), a leading "!" a certificate the applicant may replace with a written pledge (告知承诺).
"""

from dataclasses import dataclass

# Legal bases that many templates cite.
LICENSING_LAW = "《中华人民共和国行政许可法》"
SOCIAL_ASSISTANCE = "《社会救助暂行办法》（国务院令第649号）"
HUKOU_REG = "《中华人民共和国户口登记条例》"
REAL_ESTATE_REG = "《不动产登记暂行条例》（国务院令第656号）"
RURAL_PENSION = "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"
RESIDENT_MEDICAL = "《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）"
DISABLED_CERT = "《中华人民共和国残疾人保障法》；《中国残疾人联合会关于印发〈中华人民共和国残疾人证管理办法〉的通知》（残联发〔2017〕29号）"
LAND_ADMIN = "《中华人民共和国土地管理法》"
FOREST_LAW = "《中华人民共和国森林法》"
COMPANY_REG = "《中华人民共和国市场主体登记管理条例》（国务院令第746号）"
FOOD_SAFETY = "《中华人民共和国食品安全法》"
GOV_INFO = "《中华人民共和国政府信息公开条例》（国务院令第711号）第二十七条、第三十三条"
VILLAGE_COMMITTEE = "《中华人民共和国村民委员会组织法》；《陕西省村务公开民主管理办法》"
ELDERLY_LAW = "《中华人民共和国老年人权益保障法》"
POPULATION_LAW = "《中华人民共和国人口与计划生育法》"
SOCIAL_INSURANCE = "《中华人民共和国社会保险法》"

ID = "申请人居民身份证"
HB = "居民户口簿"
PHOTO = "近期一寸免冠彩色照片"


@dataclass(frozen=True)
class Fee:
    name: str
    amount: str  # yuan, as text for Decimal
    standard: str
    legal_basis: str


@dataclass(frozen=True)
class T:
    """One service of the county list (see the module docstring for material markers)."""

    name: str
    dept: str  # key of the responsible department (departments.py)
    case_class: str  # immediate | promised | joint | escalated | reply
    item_type: str  # national two-digit code (RULES.md "Item types")
    accept: str  # tier that accepts: village | township | county
    decide: str  # tier that decides
    statutory: int  # working days
    promised: int  # working days, <= statutory; 0 for immediate items
    basis: str
    materials: tuple[str, ...]
    variants: tuple[str, ...] = ()
    proxy: bool = False
    objects: str = "1"  # service object codes, one character each
    events: tuple[str, ...] = ()
    joint: tuple[str, ...] = ()  # keys of the joint departments
    fees: tuple[Fee, ...] = ()
    online: bool = True
    result: str = ""
    certificate: bool = False
    high_risk: bool = False
    conditions: str = ""
    power: str = "1"  # power source code

    def names(self) -> list[str]:
        if not self.variants:
            return [self.name]
        return [f"{self.name}（{v}）" for v in self.variants]
