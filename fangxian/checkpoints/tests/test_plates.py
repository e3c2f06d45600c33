import pytest
from django.core.exceptions import ValidationError

from fangxian.checkpoints.plates import plate_normalize

VALID = [
    "鲁B12345",
    "京A88888",
    "沪AB1234",
    "粤BA2C45",
    "川A0000Z",
    "新AZ9999",
    "琼B12345",
    "藏A1234H",
    "京AD12345",  # new energy, small, electric
    "京AF12345",  # new energy, small, hybrid
    "粤BDA1234",  # new energy, small, letter fourth
    "鲁B12345D",  # new energy, large
    "苏E54321F",
    "鲁B1234警",
    "鲁B1234学",
    "鲁U1234挂",
    "粤Z1234港",
    "粤Z1234澳",
    "沪A1234领",
]

NORMALISED = {
    "鲁b12345": "鲁B12345",
    " 鲁B 12345 ": "鲁B12345",
    "鲁B·12345": "鲁B12345",
    "鲁B-12345": "鲁B12345",
    "鲁Ｂ１２３４５": "鲁B12345",  # full-width
    "京a·d12345": "京AD12345",
}

INVALID = [
    "",
    "B12345",  # no province
    "港B12345",  # not a province abbreviation
    "鲁12345",  # no office letter
    "鲁I12345",  # I is never an office letter
    "鲁O12345",  # nor O
    "鲁B1234",  # too short
    "鲁B123456",  # 8 characters but not new energy
    "鲁BA12345",  # 8 characters, third must be D or F
    "鲁BD1234A",  # small new energy ends in 4 digits
    "鲁B1234AD",  # large new energy has 5 digits
    "鲁B12I45",  # I in the serial
    "鲁B12O45",  # O in the serial
    "鲁B123456D",  # 9 characters
    "鲁B1234警5",
    "鲁B123警",
    "鲁B12345警",
    "鲁B1234使",
    "鲁B1234?",
    "鲁B1234'; DROP TABLE",
    "鲁" * 50,
    "鲁B1234\x00",
]


@pytest.mark.parametrize("plate", VALID)
def test_valid_plates_are_accepted_unchanged(plate):
    assert plate_normalize(plate) == plate


@pytest.mark.parametrize(("raw", "canonical"), NORMALISED.items())
def test_what_people_type_is_normalised(raw, canonical):
    assert plate_normalize(raw) == canonical


@pytest.mark.parametrize("plate", INVALID)
def test_invalid_plates_are_refused(plate):
    with pytest.raises(ValidationError):
        plate_normalize(plate)
