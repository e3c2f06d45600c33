"""ID-card numbers (GB 11643-1999): structure, birth date, check character, and messy input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fangxian.core import idcard

# The province codes the validator accepts, HK/Macao/Taiwan residence permits (81/82/83) included.
PROVINCES = (
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)
CHARS = "0123456789X"


def reference_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 written out independently of the code under test."""
    total = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(first17))
    return "10X98765432"[total % 11]


def make_id(prefix6: str, birth: dt.date, sequence: str) -> str:
    body = f"{prefix6}{birth:%Y%m%d}{sequence}"
    return body + reference_check_char(body)


def error_code(raw: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        idcard.parse(raw, **kwargs)
    return excinfo.value.code


id_numbers = st.builds(
    make_id,
    prefix6=st.builds(lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.from_regex(r"\A[0-9]{4}\Z")),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()),  # noqa: DTZ011
    sequence=st.from_regex(r"\A[0-9]{3}\Z"),
)


def test_reference_check_char_agrees_with_the_standard_example():
    # The worked example of GB 11643-1999.
    assert reference_check_char("11010519491231002") == "X"


@given(number=id_numbers)
def test_any_valid_number_round_trips_with_birth_date_and_sex(number):
    info = idcard.parse(number)
    assert info.number == number
    assert info.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert info.sex == ("M" if int(number[16]) % 2 == 1 else "F")
    assert idcard.validate(number) == number


@given(number=id_numbers, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_changing_any_single_character_is_rejected(number, position, data):
    replacement = data.draw(st.sampled_from([c for c in CHARS if c != number[position]]))
    tampered = number[:position] + replacement + number[position + 1:]
    with pytest.raises(ValidationError):
        idcard.parse(tampered)


@given(
    prefix6=st.builds(lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.from_regex(r"\A[0-9]{4}\Z")),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    sequence=st.from_regex(r"\A[0-9]{3}\Z"),
)
def test_fifteen_digit_first_generation_number_upgrades_to_eighteen(prefix6, birth, sequence):
    old = f"{prefix6}{birth:%y%m%d}{sequence}"
    info = idcard.parse(old)
    assert info.number == make_id(prefix6, birth, sequence)
    assert info.birth_date == birth


def test_fifteen_digit_standard_example_gets_check_character_x():
    assert idcard.validate("110105491231002") == "11010519491231002X"


def test_full_width_digits_spaces_and_lower_case_x_are_accepted():
    number = "11010519491231002X"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert idcard.validate(full_width) == number
    assert idcard.validate(" 110105 19491231 002x ") == number
    assert idcard.validate("110105-19491231-002x") == number
    assert idcard.validate("１１０１０５１９４９１２３１００２ｘ") == number


@pytest.mark.parametrize("birth", ["19990230", "20010229", "19991301", "19990001", "19990100"])
def test_impossible_birth_dates_are_rejected(birth):
    body = f"370202{birth}123"
    assert error_code(body + reference_check_char(body)) == "id_birth"


def test_future_birth_date_is_rejected():
    today = dt.date(2026, 3, 1)
    tomorrow = make_id("370202", dt.date(2026, 3, 2), "123")
    assert error_code(tomorrow, today=today) == "id_birth"
    assert idcard.parse(make_id("370202", today, "123"), today=today).birth_date == today


def test_birth_before_1880_is_rejected():
    body = "37020218790101123"
    assert error_code(body + reference_check_char(body)) == "id_birth"


def test_wrong_check_digit_is_rejected_with_its_own_code():
    number = make_id("370202", dt.date(1980, 5, 17), "123")
    wrong = next(c for c in CHARS if c != number[17])
    assert error_code(number[:17] + wrong) == "id_check"


@pytest.mark.parametrize("raw", ["", "37020219800517123", "3702021980051712345", "37020219800517123Y", "abc"])
def test_malformed_numbers_are_rejected_as_format_errors(raw):
    assert error_code(raw) == "id_format"


@pytest.mark.parametrize("province", ["10", "16", "20", "39", "72", "80", "84", "99"])
def test_unknown_province_code_is_rejected(province):
    assert error_code(make_id(province + "0202", dt.date(1980, 5, 17), "123")) == "id_region"


@pytest.mark.parametrize("province", ["81", "82", "83"])
def test_residence_permits_for_hong_kong_macao_taiwan_are_accepted(province):
    number = make_id(province + "0000", dt.date(1990, 7, 1), "456")
    assert idcard.validate(number) == number


def test_region_code_that_no_longer_exists_is_accepted():
    # 370220 was a Qingdao district code before the 1994 redistricting; elderly people still carry it.
    number = make_id("370220", dt.date(1935, 2, 14), "031")
    info = idcard.parse(number)
    assert info.number == number
    assert info.birth_date == dt.date(1935, 2, 14)
    assert info.sex == "M"
