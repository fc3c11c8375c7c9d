import pytest
from django.core.exceptions import ValidationError

from bianmin.common.validators import (
    mask_id_number,
    normalize_credit_code,
    normalize_id_number,
    phone_tail_matches,
    uscc_check_char,
    validate_phone,
)


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "440524188001010014", "11010519491231002x"]
)
def test_valid_id_numbers_from_the_standard(value):
    assert normalize_id_number(value) == value.upper()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),  # wrong check digit
        ("11010519491331002X", "id_birth"),  # month 13
        ("1101051949123100", "id_format"),
        ("11010530491231002X", "id_birth"),  # year 3049 is in the future / impossible
    ],
)
def test_invalid_id_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as e:
        normalize_id_number(value)
    assert e.value.code == code


def test_credit_code_example_and_a_broken_one():
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(ValidationError) as e:
        normalize_credit_code("91350100M000100Y44")
    assert e.value.code == "uscc_check"
    with pytest.raises(ValidationError) as e:
        normalize_credit_code("91350100M000100YI3")
    assert e.value.code == "uscc_format"


def test_credit_code_checks_embedded_organisation_code():
    # Body with a wrong organisation-code check (position 17) but a matching USCC check character.
    body = "91350100M00010013"
    code = body + uscc_check_char(body)
    with pytest.raises(ValidationError) as e:
        normalize_credit_code(code)
    assert e.value.code == "uscc_org_check"


def test_masking_keeps_only_region_and_tail():
    assert mask_id_number("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize("value", ["13912345678", "0916-2345678"])
def test_phone_ok(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12345", "23912345678", "1391234567a"])
def test_phone_bad(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


@pytest.mark.parametrize(
    ("tail", "matches"),
    [
        ("5678", True),
        ("５６７８", True),  # full-width, typed on a Chinese input method
        (" 5678 ", True),
        (" ", False),  # once matched any phone (the appointment check)
        ("    ", False),
        ("", False),
        ("12345678", False),  # the old ratings check took any longer tail
        ("12345", False),
        ("45678", False),
        ("678", False),
        ("5679", False),
        ("٥٦٧٨", False),  # other scripts' digits are not ASCII after NFKC
    ],
)
def test_one_phone_tail_check_takes_exactly_four_digits(tail, matches):
    assert phone_tail_matches("13812345678", tail) is matches


def test_phone_tail_check_reads_only_the_phones_digits():
    assert phone_tail_matches("0916-2345678", "5678")
    assert not phone_tail_matches("", "0000") and not phone_tail_matches("123", "0123")


def test_full_width_numbers_are_stored_as_half_width():
    """Typed on a Chinese input method, the same number must compare equal (search, blacklist)."""
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalize_credit_code("９１３５０１００ｍ０００１００ｙ４３") == "91350100M000100Y43"
