"""Cases (办件) and everything recorded about them.

Models hold data and invariants only; every change goes through `bianmin.cases.services`, which
runs the transition table in `bianmin.cases.workflow`. Cases are never deleted: foreign keys to
them PROTECT, events refuse updates and deletes, and the admin has no delete permission.
"""

from .case import (
    DELIVERY_STATES,
    ERRAND,
    ERRAND_STATES,
    FINAL_STATES,
    OPEN_STATES,
    ApplicantKind,
    Case,
    Channel,
    ErrandKind,
    State,
)
from .money import ErrandMoney, MoneyDirection
from .oversight import (
    CaseEvent,
    ChainHash,
    CreditRestriction,
    FlagKind,
    PersonalDataView,
    SupervisionFlag,
)
from .records import (
    JOINT_REVIEWS,
    CaseMaterial,
    Custody,
    Delivery,
    FileReview,
    FileSource,
    MaterialFile,
    MaterialStatus,
    OneTimeNotice,
    Pause,
    PauseKind,
    Step,
    SubReview,
    SuspensionReason,
)

__all__ = [
    "DELIVERY_STATES",
    "ERRAND",
    "ERRAND_STATES",
    "FINAL_STATES",
    "JOINT_REVIEWS",
    "OPEN_STATES",
    "ApplicantKind",
    "Case",
    "CaseEvent",
    "CaseMaterial",
    "ChainHash",
    "Channel",
    "CreditRestriction",
    "Custody",
    "Delivery",
    "ErrandKind",
    "ErrandMoney",
    "FileReview",
    "FileSource",
    "FlagKind",
    "MaterialFile",
    "MaterialStatus",
    "MoneyDirection",
    "OneTimeNotice",
    "Pause",
    "PauseKind",
    "PersonalDataView",
    "State",
    "Step",
    "SubReview",
    "SupervisionFlag",
    "SuspensionReason",
]
