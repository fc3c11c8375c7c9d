"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS in settings): 等保 2.0 level 3
(GB/T 22239-2019 8.1.4.1 a) asks for passwords of some complexity that are changed, and not
guessable from who the person is."""

from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bianmin.common.errors import ErrorCode


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, other symbols
    (the usual reading of 等保 "复杂度要求": three of the four kinds)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code=ErrorCode.PASSWORD_TOO_SIMPLE)

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)s 类。") % {
            "n": self.min_classes
        }


class PersonSimilarityValidator:
    """Refuse a password that contains, or closely resembles, the account's username or the
    person's name (Staff.full_name). Django's UserAttributeSimilarityValidator looks at the user
    row only, where our people keep no name, and misses a name merely contained in a long
    password."""

    def __init__(self, max_similarity: float = 0.7, min_length: int = 2):
        self.max_similarity = max_similarity
        self.min_length = min_length

    def _names(self, user) -> list[tuple[str, str]]:
        names = [(user.get_username(), _("用户名"))]
        staff = getattr(user, "staff", None) if user.pk else None
        if staff is not None and staff.full_name:
            names.append((staff.full_name, _("姓名")))
        return [(n.strip().lower(), label) for n, label in names if n and n.strip()]

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        lowered = password.lower()
        for name, label in self._names(user):
            contained = len(name) >= self.min_length and name in lowered
            similar = SequenceMatcher(a=lowered, b=name).ratio() >= self.max_similarity
            if contained or similar:
                raise ValidationError(
                    _("密码与%(label)s过于相似。") % {"label": label},
                    code=ErrorCode.PASSWORD_TOO_SIMILAR,
                )

    def get_help_text(self) -> str:
        return _("密码不能包含或近似于用户名和姓名。")
