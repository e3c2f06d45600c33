"""The logging net: ID-card and mobile numbers never reach a log line, not even inside a traceback."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangxian.core.idcard import check_char
from fangxian.core.logging import PersonalDataFilter, redact

ID_NUMBER = "370202199001011237"
ID_WITH_X = "11010519491231002X"
MOBILE = "13812345678"


@pytest.fixture
def log():
    """A logger whose handler carries the filter, as in settings.LOGGING; yields (logger, output)."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("fangxian.tests.personal_data_filter")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, output
    logger.handlers = []


def test_settings_attach_the_filter_to_the_console_handler(settings):
    assert "personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["filters"]["personal_data"]["()"] == "fangxian.core.logging.PersonalDataFilter"


def test_id_number_and_mobile_in_arguments_are_redacted(log):
    logger, output = log
    logger.warning("import row 7: id %s phone %s rejected", ID_NUMBER, MOBILE)
    text = output.getvalue()
    assert ID_NUMBER not in text and MOBILE not in text
    assert "import row 7" in text and text.count("[redacted]") == 2


def test_numbers_written_into_the_message_itself_are_redacted(log):
    logger, output = log
    logger.info(f"lookup {ID_WITH_X.lower()} / {ID_WITH_X} / +86 {MOBILE} / tel:{MOBILE}.")
    text = output.getvalue()
    assert ID_WITH_X not in text.upper()
    assert MOBILE not in text


@pytest.mark.parametrize(
    "shaped",
    [
        "+8613812345678",
        "8613812345678",
        "138 1234 5678",
        "138-1234-5678",
        "１３８１２３４５６７８",
        "３７０２０２１９９００１０１１２３７",
        "370202 19900101 1237",
        "370202-19900101-1237",
    ],
)
def test_numbers_in_the_shapes_personal_fields_accept_are_redacted(shaped):
    # PersonalField accepts these spellings, so an error message quoting the input may carry them.
    cleaned = redact(f"bad value “{shaped}” in row 3")
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    assert digits == "3", cleaned


def test_exception_text_is_redacted(log):
    logger, output = log
    try:
        raise ValueError(f"duplicate resident {ID_NUMBER} with phone {MOBILE}")
    except ValueError:
        logger.exception("import failed")
    text = output.getvalue()
    assert "Traceback" in text and "ValueError" in text
    assert ID_NUMBER not in text and MOBILE not in text
    assert "[redacted]" in text


def test_chained_exception_text_is_redacted(log):
    logger, output = log
    try:
        try:
            raise KeyError(ID_NUMBER)
        except KeyError as inner:
            raise RuntimeError("lookup failed") from inner
    except RuntimeError:
        logger.error("job crashed", exc_info=True)
    assert ID_NUMBER not in output.getvalue()


def test_area_codes_counts_and_times_are_left_alone(log):
    logger, output = log
    message = "grid 370202001001001 has 13 households; street 370202001; took 1234567 us at 2026-03-01 08:00"
    logger.info(message)
    assert message in output.getvalue()


def test_a_broken_log_call_does_not_raise(log):
    logger, output = log
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("only one",), None)
    assert PersonalDataFilter().filter(record) is True


id_numbers = st.builds(
    lambda region, birth, sequence: (body := f"{region}{birth:%Y%m%d}{sequence}") + check_char(body),
    st.from_regex(r"\A[1-8][0-9]{5}\Z"),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.from_regex(r"\A[0-9]{3}\Z"),
)
mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@given(id_number=id_numbers, mobile=mobiles, before=st.text(max_size=20), after=st.text(max_size=20))
def test_any_id_number_or_mobile_inside_any_text_is_redacted(id_number, mobile, before, after):
    cleaned = redact(f"{before} {id_number} {mobile} {after}")
    assert id_number not in cleaned and id_number.lower() not in cleaned
    assert mobile not in cleaned
