"""A logging filter that blanks anything shaped like an ID-card or mobile number.

Personal values never reach the log on purpose; this is the net for the accident (an exception
message quoting a form value, a debug line left in).
"""

from __future__ import annotations

import logging
import re

# The spellings personal fields accept (and so an error message quoting the input may carry): a space
# or dash between groups, a +86 before a mobile, and full-width characters typed with a Chinese IME.
_SEP = r"[ \-]?"
_PATTERNS = [
    re.compile(
        r"(?<![0-9])[1-9][0-9]{5}" + _SEP + r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{2}" + _SEP
        + r"[0-9]{3}[0-9Xx](?![0-9])"
    ),
    re.compile(r"(?<![0-9])(?:\+?86" + _SEP + r")?1[3-9][0-9]" + _SEP + r"[0-9]{4}" + _SEP + r"[0-9]{4}(?![0-9])"),
]
_HALF_WIDTH = str.maketrans(
    {chr(0xFF10 + n): str(n) for n in range(10)} | {"Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-", "\u3000": " "}
)


def redact(text: str) -> str:
    half_width = text.translate(_HALF_WIDTH)
    cleaned = half_width
    for pattern in _PATTERNS:
        cleaned = pattern.sub("[redacted]", cleaned)
    # Leave a message without personal numbers exactly as it was written.
    return text if cleaned == half_width else cleaned


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break the request
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
