"""The counties of 汉中市 that `seed-demo --scale city` builds beside the demo county.

GB/T 2260 codes and township names are the real ones (as of the 2020s); the statistical codes of
townships are assigned in RULES.md's ranges (001-099 街道, 100-199 镇, 200-399 乡) in list order,
and the village counts are sized so the city has about 2,000 villages and communities. 佛坪县
(610730), the smallest, is left out: ten counties in all.
"""

import random
from dataclasses import dataclass

from . import places


@dataclass(frozen=True)
class CountyPlace:
    code: str  # 6-digit GB/T 2260 code
    name: str  # 南郑区, 洋县
    # (3-digit township code, name, communities, villages), as places.TOWNSHIPS
    townships: tuple[tuple[str, str, int, int], ...]
    # Usernames of the demo county are short (admin, t01-staff); other counties prefix theirs
    # with their code so that every username in the city is unique.
    prefix: str = ""
    seat_address: str = ""

    @property
    def level(self) -> str:
        """区 or 县: how the county calls its own offices (区民政局, 县民政局)."""
        return self.name[-1]

    @property
    def stem(self) -> str:
        """The name without 区/县, as in 汉中市公安局南郑分局; two-character names keep theirs."""
        return self.name[:-1] if len(self.name) > 2 else self.name

    @property
    def full_name(self) -> str:
        return f"汉中市{self.name}"

    def local(self, text: str) -> str:
        """A demo-county name (汉台区民政局, 区民政局, 公安汉台分局) renamed for this county."""
        if self.code == places.COUNTY_CODE:
            return text
        text = text.replace(places.COUNTY_NAME, self.name).replace("汉台", self.stem)
        return self.level + text[1:] if text.startswith("区") else text


HANTAI = CountyPlace(
    code=places.COUNTY_CODE,
    name=places.COUNTY_NAME,
    townships=tuple(places.TOWNSHIPS),
    seat_address="汉中市汉台区天汉大道688号",
)


def _townships(names: str, villages: int) -> tuple[tuple[str, str, int, int], ...]:
    """Codes in RULES.md's ranges and counts adding up to about `villages` for the county."""
    names_ = names.split()
    streets = [n for n in names_ if n.endswith("街道")]
    towns = [n for n in names_ if not n.endswith("街道")]
    # A 街道 is mostly communities, a 镇 a seat community and its villages.
    street_size = 8
    left = villages - street_size * len(streets) - len(towns)
    per_town, extra = divmod(max(left, 3 * len(towns)), len(towns))
    rows = []
    for i, name in enumerate(streets, start=1):
        rows.append((f"{i:03d}", name, 6, street_size - 6))
    t = z = 0
    for i, name in enumerate(towns):
        if name.endswith("乡"):
            code, z = f"{200 + z:03d}", z + 1
        else:
            code, t = f"{100 + t:03d}", t + 1
        rows.append((code, name, 1, per_town + (1 if i < extra else 0)))
    return tuple(rows)


# fmt: off
_CITY = [
    ("610703", "南郑区", 260, "汉山街道 大河坎镇 协税镇 梁山镇 阳春镇 高台镇 新集镇 濂水镇 黄官镇 青树镇 红庙镇 "
     "牟家坝镇 法镇 湘水镇 小南海镇 碑坝镇 黎坪镇 福成镇 两河镇 胡家营镇", "汉中市南郑区汉山街道江南大道"),
    ("610722", "城固县", 240, "博望街道 莲花街道 龙头镇 沙河营镇 文川镇 柳林镇 老庄镇 桔园镇 原公镇 上元观镇 "
     "天明镇 二里镇 五堵镇 双溪镇 小河镇 三合镇 董家营镇", "城固县博望街道世纪大道"),
    ("610723", "洋县", 220, "洋州街道 戚氏街道 纸坊街道 龙亭镇 谢村镇 马畅镇 溢水镇 磨子桥镇 黄家营镇 黄安镇 "
     "黄金峡镇 槐树关镇 金水镇 华阳镇 茅坪镇 关帝镇 桑溪镇 八里关镇", "洋县洋州街道朱鹮大道"),
    ("610724", "西乡县", 200, "城北街道 城南街道 杨河镇 柳树镇 沙河镇 私渡镇 桑园镇 白龙塘镇 峡口镇 堰口镇 "
     "茶镇 高川镇 两河口镇 大河镇 骆家坝镇 子午镇 白勉峡镇", "西乡县城北街道东环路"),
    ("610725", "勉县", 200, "勉阳街道 武侯镇 周家山镇 同沟寺镇 新街子镇 老道寺镇 褒城镇 金泉镇 定军山镇 温泉镇 "
     "元墩镇 阜川镇 新铺镇 茶店镇 镇川镇 漆树坝镇 长沟河镇 张家河镇", "勉县勉阳街道诸葛大道"),
    ("610726", "宁强县", 200, "汉源街道 高寨子街道 大安镇 代家坝镇 阳平关镇 燕子砭镇 广坪镇 青木川镇 毛坝河镇 "
     "铁锁关镇 胡家坝镇 巴山镇 舒家坝镇 太阳岭镇 巨亭镇 安乐河镇 二郎坝镇 禅家岩镇", "宁强县汉源街道羌州路"),
    ("610727", "略阳县", 160, "兴州街道 横现河街道 接官亭镇 两河口镇 金家河镇 徐家坪镇 白水江镇 硖口驿镇 "
     "马蹄湾镇 乐素河镇 郭镇 黑河镇 白雀寺镇 西淮坝镇 五龙洞镇 观音寺镇", "略阳县兴州街道江神路"),
    ("610728", "镇巴县", 180, "泾洋街道 渔渡镇 盐场镇 观音镇 巴庙镇 兴隆镇 长岭镇 三元镇 简池镇 碾子镇 小洋镇 "
     "青水镇 赤南镇 平安镇 杨家河镇 巴山镇 永乐镇 仁村镇 黎坝镇 大池镇", "镇巴县泾洋街道红军路"),
    ("610729", "留坝县", 120, "紫柏街道 马道镇 武关驿镇 留侯镇 江口镇 玉皇庙镇 火烧店镇 青桥驿镇",
     "留坝县紫柏街道滨河路"),
]
# fmt: on

CITY_COUNTIES: list[CountyPlace] = [
    CountyPlace(
        code, name, _townships(towns, villages), prefix=f"{code}-", seat_address=f"{addr}1号"
    )
    for code, name, villages, towns, addr in _CITY
]


def part_rng(seed: int, part: str, place: CountyPlace = HANTAI) -> random.Random:
    """The random stream of one part of a county's build (regions, staff, catalog...)."""
    # The demo county keeps its original streams; other counties get their own.
    if place.code == HANTAI.code:
        return random.Random(f"{seed}:{part}")
    return random.Random(f"{seed}:{place.code}:{part}")
