"""Guards and effects of the case transitions (the table is in `workflow.py`).

A guard raises a DomainError when the rule forbids the move; an effect changes the case and its
records. Both get a `Ctx`; the engine (`services.engine.case_transition`) saves the case, bumps the
version and writes the event afterwards, all in one transaction. Errors carrying a `flag` are
recorded to supervision by the engine even though the transition itself is refused.
"""

from . import when
from .base import Ctx, flagged
from .clock import *  # noqa: F403
from .decision import *  # noqa: F403
from .errand import *  # noqa: F403
from .files import *  # noqa: F403
from .intake import *  # noqa: F403

__all__ = ["Ctx", "flagged", "when"]
