"""Password rules (settings AUTH_PASSWORD_VALIDATORS, orgs/passwords.py): 等保 2.0 level 3."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("t01-staff", "密码与用户名过于相似"),
        ("Xy!T01-STAFF-2026", "密码与用户名过于相似"),
        ("武乡窗口-Aa-2026", "密码与姓名过于相似"),
        ("Short-1a", "此密码太短"),
        ("84629175302648", "密码只包含数字"),
        ("lowercase-and-symbols", "至少 3 类"),
    ],
)
def test_refused(county, password, message):
    with pytest.raises(ValidationError) as e:
        validate_password(password, county.t1_staff.user)
    assert any(message in m for m in e.value.messages), e.value.messages


def test_a_good_password_passes(county):
    validate_password("Quiet-River-2026", county.t1_staff.user)
