"""Case numbers: printable, unique, and not guessable from one another.

`HT-610702100201-20261123-7K3QX9MA-R`: a readable prefix (county abbreviation, the 12-digit
region code of the intake unit, the intake date), then 8 random Crockford base32 characters
(40 bits from `secrets`) and a Luhn mod 32 check character over everything before it, so a
mistyped or swapped character is caught before the database is asked.
"""

import datetime as dt
import re
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
TAIL_LENGTH = 8
NUMBER_RE = re.compile(
    rf"^(?P<prefix>[A-Z]{{1,4}})-(?P<region>\d{{12}})-(?P<date>\d{{8}})"
    rf"-(?P<tail>[{ALPHABET}]{{{TAIL_LENGTH}}})-(?P<check>[{ALPHABET}])$"
)


def _values(text: str) -> list[int]:
    # Digits keep their value; letters and separators of the prefix map onto the alphabet.
    return [ALPHABET.index(c) if c in ALPHABET else ord(c) % 32 for c in text]


def check_char(body: str) -> str:
    """Luhn mod N (N = 32): detects every single-character error and every adjacent swap
    except 0 <-> Z (values 0 and N-1), the same blind spot as Luhn's 09 <-> 90."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for value in reversed(_values(body)):
        addend = factor * value
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def prefix() -> str:
    return getattr(settings, "BIANMIN_CASE_PREFIX", "HT")


def case_number_new(*, region_code: str, day: dt.date) -> str:
    tail = "".join(secrets.choice(ALPHABET) for _ in range(TAIL_LENGTH))
    body = f"{prefix()}-{region_code}-{day:%Y%m%d}-{tail}"
    return f"{body}-{check_char(body)}"


def case_number_valid(number: str) -> bool:
    number = (number or "").strip().upper()
    if not NUMBER_RE.match(number):
        return False
    body, check = number[:-2], number[-1]
    return check_char(body) == check
