"""Places of the demo county: 汉中市汉台区 (GB/T 2260 code 610702).

Townships carry their statistical codes (RULES.md "Division codes": 001-099 街道, 100-199 镇,
200-399 乡). Villages and communities are generated from syllable lists so that the same seed
always gives the same names.
"""

COUNTY_CODE = "610702"
COUNTY_NAME = "汉台区"
COUNTY_FULL_NAME = "汉中市汉台区"
AREA_CODE = "0916"  # 汉中's telephone area code

# (3-digit township code, name, communities, villages). Counts are the base sizes; the seed
# moves each by at most one so that the county keeps about 200 villages and communities.
# fmt: off
TOWNSHIPS: list[tuple[str, str, int, int]] = [
    ("001", "北关街道", 9, 0), ("002", "东大街街道", 8, 0), ("003", "汉中路街道", 9, 0), ("004", "中山街街道", 7, 0),
    ("005", "东关街道", 8, 2), ("006", "龙江街道", 4, 12), ("007", "七里街道", 4, 14), ("100", "铺镇", 2, 16),
    ("101", "武乡镇", 2, 17), ("102", "河东店镇", 2, 15), ("103", "宗营镇", 1, 15), ("104", "老君镇", 1, 16),
    ("105", "汉王镇", 1, 13), ("106", "徐望镇", 1, 12), ("200", "褒河乡", 1, 8),
]
# fmt: on

# Roads and streets of the town seats, used for community names and unit addresses.
# fmt: off
ROADS = [
    "天汉大道", "汉中路", "中山街", "北大街", "东大街", "西大街", "南团结街", "劳动路", "建国路", "民主街", "前进路", "滨江路", "兴汉路",
    "龙江路", "七里路", "铺镇大街", "武乡大道", "河东路", "宗营街", "老君街", "汉王路", "褒河路", "石马路", "莲湖路",
]
# fmt: on

# Community names: a place word and a suffix.
# fmt: off
COMMUNITY_HEADS = [
    "北关", "东关", "南关", "西关", "汉中路", "中山街", "东大街", "北大街", "劳动路", "建国路", "民主街", "前进", "滨江", "兴汉", "龙江",
    "七里", "天汉", "莲湖", "石马", "汉源", "拜将坛", "古汉台", "望江", "桥北", "新华", "和平", "光明", "团结", "幸福", "育才", "文化",
    "长青", "友爱", "阳光", "康乐", "锦城", "梁州", "兴元", "南郑门", "饮马池",
]
# fmt: on
# fmt: off
COMMUNITY_TAILS = [
    "", "", "", "路", "街", "苑", "里", "坊", "新村",
]
# fmt: on

# Village names: surname + landform, or a place word + landform.
# fmt: off
VILLAGE_SURNAMES = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪",
    "田", "任", "姜",
]
# fmt: on
# fmt: off
VILLAGE_LANDFORMS = [
    "家营", "家湾", "家坝", "家庄", "家寨", "家沟", "家河", "家堰", "家坪", "家岭", "家桥", "家院", "家嘴", "家垭", "家店", "家庙",
    "家巷", "家梁",
]
# fmt: on
# fmt: off
VILLAGE_PLACES = [
    "东寨", "西营", "南湾", "北坝", "上坝", "下坝", "中坝", "新庄", "石堰", "红庙", "黄岗", "花园", "柳林", "桃园", "杏树", "槐树",
    "松林", "竹园", "莲花", "青龙", "白虎", "金华", "银台", "玉泉", "龙岗", "凤凰", "马家", "牛头", "羊圈", "鹿鸣", "梁山", "天台",
    "圣水", "双井", "三合", "四坝", "五郎", "六湾", "七星", "八里", "九龙", "十里", "高台", "长林", "古城", "新堰", "老庄", "汉王",
    "褒城", "宝山", "平川", "红星", "光明", "胜利", "团结", "联合", "民主", "永丰", "丰收", "太平", "安乐", "兴隆", "吉祥", "万福",
    "长寿", "清河",
]
# fmt: on
# fmt: off
VILLAGE_PLACE_TAILS = [
    "", "", "", "坝", "湾", "寺", "堡", "铺", "坪",
]
# fmt: on

# People: common surnames (weighted by repetition) and given-name characters.
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许"
    "傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN_CHARS_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国志峰文斌海东亮晨浩宇俊凯健林"
GIVEN_CHARS_FEMALE = "芳娜敏静丽艳娟霞秀英华慧玲婷雪琳燕红梅兰莉萍倩颖洁媛佳欣悦彤"

# fmt: off
MOBILE_PREFIXES = [
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158",
    "159", "177", "180", "181", "182", "183", "187", "188", "189", "191", "199",
]
# fmt: on
