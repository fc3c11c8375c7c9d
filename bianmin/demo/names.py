"""Deterministic generators for place names, people, phones and codes of the demo county."""

import random

from bianmin.common.validators import org_code_check_char, uscc_check_char

from . import places


class NameSource:
    """Draws names and numbers from one seeded generator, never repeating a place name."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used_places: set[str] = set()

    def _unique(self, make) -> str:
        for _attempt in range(500):
            name = make()
            if name not in self._used_places:
                self._used_places.add(name)
                return name
        raise RuntimeError("name lists too small for the demo county")

    def community(self) -> str:
        r = self.rng
        return self._unique(
            lambda: f"{r.choice(places.COMMUNITY_HEADS)}{r.choice(places.COMMUNITY_TAILS)}社区"
        )

    def village(self) -> str:
        r = self.rng

        def make() -> str:
            if r.random() < 0.45:
                return f"{r.choice(places.VILLAGE_SURNAMES)}{r.choice(places.VILLAGE_LANDFORMS)}村"
            return f"{r.choice(places.VILLAGE_PLACES)}{r.choice(places.VILLAGE_PLACE_TAILS)}村"

        return self._unique(make)

    def person(self) -> str:
        r = self.rng
        chars = places.GIVEN_CHARS_MALE if r.random() < 0.55 else places.GIVEN_CHARS_FEMALE
        given = r.choice(chars) if r.random() < 0.3 else r.choice(chars) + r.choice(chars)
        return r.choice(places.SURNAMES) + given

    def mobile(self) -> str:
        return f"{self.rng.choice(places.MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"{places.AREA_CODE}-{self.rng.randrange(2100000, 2700000)}"

    def address(self, where: str) -> str:
        return f"{where}{self.rng.choice(places.ROADS)}{self.rng.randrange(1, 400)}号"


def credit_code(serial: int, county: str = places.COUNTY_CODE) -> str:
    """A well-formed 统一社会信用代码 (GB 32100-2015) for a government body of the county.

    "11" = 机关, then the county code, then a 9-character organisation code with its own check.
    """
    org8 = f"MB{serial:06d}"
    first17 = f"11{county}{org8}{org_code_check_char(org8)}"
    return first17 + uscc_check_char(first17)
