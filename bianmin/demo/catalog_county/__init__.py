"""Items handled at the township centre or the county hall only (no village proxy), by
department; `COUNTY_ITEMS` keeps the catalog order (the demo's item codes follow it)."""

from .county_business import BUSINESS_ITEMS
from .county_civil import CIVIL_ITEMS
from .one_thing import ONE_THING_ITEMS
from .township import REPLY_ITEMS, TOWNSHIP_ITEMS

COUNTY_ITEMS = [*CIVIL_ITEMS, *BUSINESS_ITEMS, *ONE_THING_ITEMS]

__all__ = ["COUNTY_ITEMS", "REPLY_ITEMS", "TOWNSHIP_ITEMS"]
