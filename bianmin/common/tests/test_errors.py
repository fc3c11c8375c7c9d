"""Error codes come from one list: a domain error refuses any other."""

import pytest

from bianmin.common.errors import Conflict, DomainError, ErrorCode, ValidationFailed


def test_a_domain_error_takes_an_error_code_member_and_keeps_its_value():
    e = Conflict("办件已被他人办理", code=ErrorCode.STALE)
    assert e.code is ErrorCode.STALE and e.code == "stale" and e.status == 409
    assert ValidationFailed("请填写").code is ErrorCode.VALIDATION  # the class's own


def test_a_free_string_or_unknown_code_is_refused():
    with pytest.raises(TypeError, match="not an ErrorCode"):
        DomainError("x", code="stale")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not an ErrorCode"):
        DomainError("x", code="no_such_code")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not an ErrorCode"):

        class Mine(DomainError):
            code = "mine"  # type: ignore[assignment]
