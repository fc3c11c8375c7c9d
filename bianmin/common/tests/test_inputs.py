import datetime as dt

import pytest

from bianmin.common.errors import ValidationFailed
from bianmin.common.inputs import (
    bounded_int,
    clean_text,
    latest_date,
    parse_date,
    parse_month,
)


def test_text_is_trimmed_limited_and_refuses_controls():
    assert clean_text("  王五 ", max_length=100, field="姓名") == "王五"
    with pytest.raises(ValidationFailed) as e:
        clean_text("王\x0b五", max_length=100, field="姓名")
    assert e.value.code == "control_character" and e.value.field == "姓名"
    with pytest.raises(ValidationFailed):
        clean_text("王\x00五", max_length=100)
    with pytest.raises(ValidationFailed):
        clean_text("一行\n两行", max_length=100)
    assert clean_text("一行\r\n\t两行", max_length=100, multiline=True) == "一行\n\t两行"
    with pytest.raises(ValidationFailed) as e:
        clean_text("x" * 101, max_length=100, field="姓名")
    assert e.value.code == "too_long" and "100" in e.value.message


def test_identifiers_are_normalised_to_half_width():
    full_width = "６１０７０２１９８００１０１００１Ｘ"
    assert clean_text(full_width, max_length=18, identifier=True) == "61070219800101001X"


def test_dates_and_months_are_bounded():
    assert parse_date("2026-12-03") == dt.date(2026, 12, 3)
    for bad in ("9999-12-31", "1500-01-01", "2026-13-01", "x" * 50, "2026-12-03\x00"):
        with pytest.raises(ValidationFailed):
            parse_date(bad, field="date")
    assert parse_month("2026-11") == dt.date(2026, 11, 1)
    with pytest.raises(ValidationFailed):
        parse_month("9999-01")
    assert latest_date(dt.date(2024, 2, 29)) == dt.date(2034, 2, 28)


def test_integers_are_bounded_before_conversion():
    assert bounded_int("42", field="offset") == 42
    for bad in ("-1", str(2**63), "9" * 10000, "1.5", ""):
        with pytest.raises(ValidationFailed):
            bounded_int(bad, field="offset")
