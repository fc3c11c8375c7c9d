"""The county departments that decide items, in the order that gives their dNN account numbers."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Department:
    key: str  # two letters, used in unit codes and item local codes
    name: str
    short_name: str
    window: str  # resident window at the county centre ("" = served by the general windows)


# fmt: off
DEPARTMENTS: list[Department] = [
    Department("MZ", "汉台区民政局", "区民政局", "民政窗口"),
    Department("RS", "汉台区人力资源和社会保障局", "区人社局", "人社窗口"),
    Department("ZR", "汉中市自然资源局汉台分局", "区自然资源局", "不动产登记窗口"),
    Department("NN", "汉台区农业农村局", "区农业农村局", "农业农村窗口"),
    Department("GA", "汉中市公安局汉台分局", "公安汉台分局", "户政窗口"),
    Department("WJ", "汉台区卫生健康局", "区卫健局", "卫健窗口"),
    Department("YB", "汉台区医疗保障局", "区医保局", "医保窗口"),
    Department("SJ", "汉台区市场监督管理局", "区市场监管局", "市场准入窗口"),
    Department("ZJ", "汉台区住房和城乡建设局", "区住建局", "住建窗口"),
    Department("LY", "汉台区林业局", "区林业局", ""),
    Department("CL", "汉台区残疾人联合会", "区残联", "残联窗口"),
    Department("SW", "国家税务总局汉中市汉台区税务局", "区税务局", "税务窗口"),
    Department("SF", "汉台区司法局", "区司法局", ""),
    Department("TY", "汉台区退役军人事务局", "区退役军人事务局", "退役军人窗口"),
    Department("JT", "汉台区交通运输局", "区交通运输局", ""),
    Department("JY", "汉台区教育体育局", "区教体局", ""),
    Department("SL", "汉台区水利局", "区水利局", ""),
    Department("YJ", "汉台区应急管理局", "区应急管理局", ""),
    Department("WL", "汉台区文化和旅游局", "区文旅局", ""),
    Department("HB", "汉中市生态环境局汉台分局", "区生态环境分局", ""),
]
# fmt: on

DEPARTMENT_BY_KEY = {d.key: d for d in DEPARTMENTS}

# Departments whose county items a township passes on to the county centre's 综合受理1号窗口
# (前台综合受理, 后台分类审批; the item's `county_window`) rather than straight to the department:
# 市场监管 and 税务, the first of the 一窗受理 reform, and 林业, which has no resident window.
GENERAL_INTAKE = frozenset({"SJ", "SW", "LY"})

# The two branch halls (分中心) of the county centre.
BRANCH_WINDOWS = [
    ("不动产登记分中心窗口", "ZR"),
    ("公安户政分中心窗口", "GA"),
]
