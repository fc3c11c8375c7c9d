"""Test factories (factory_boy) that reach their states through the real services.

`ItemFactory` creates a catalog item version with `item_version_create` and publishes it with
`item_version_publish`; `CaseFactory` registers a case with `case_register` and walks it to the
asked state with `case_transition`. Nothing here writes a model field the services would write.
"""

from .cases import PERSON, CaseFactory
from .items import ItemFactory

__all__ = ["PERSON", "CaseFactory", "ItemFactory"]
