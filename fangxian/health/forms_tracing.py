"""Forms of the contact-tracing pages: who, which window, how many minutes; and the screening action.

Every field has a limit; the window's rules are `tracing_window_check`'s, stated once for the page,
the API and the selector.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.errors import DomainError
from fangxian.health.selectors.tracing import (
    MINUTES_DEFAULT,
    MINUTES_MAX,
    MINUTES_MIN,
    WINDOW_DEFAULT_DAYS,
    tracing_window_check,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_FORMAT)
INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
SEARCH_MAX = 50
CONTACTS_MAX = 5000


def default_window() -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "start": (now - dt.timedelta(days=WINDOW_DEFAULT_DAYS)).strftime(DATETIME_FORMAT),
        "end": now.strftime(DATETIME_FORMAT),
        "minutes": MINUTES_DEFAULT,
    }


class TracingWindowForm(forms.Form):
    """The window of a trace: local start and end, and ± minutes at a gate."""

    start = forms.DateTimeField(label=_("From"), input_formats=INPUT_FORMATS, widget=DATETIME_WIDGET)
    end = forms.DateTimeField(label=_("To"), input_formats=INPUT_FORMATS, widget=DATETIME_WIDGET)
    minutes = forms.IntegerField(
        label=_("Minutes at the same gate (±)"),
        min_value=MINUTES_MIN,
        max_value=MINUTES_MAX,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    passthrough: tuple[str, ...] = ()

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A page opened without a window traces the last fortnight: fill what the query string lacks.
        if data is not None:
            merged = default_window()
            merged.update({key: str(data.get(key))[:40] for key in ("start", "end", "minutes") if data.get(key)})
            merged.update({key: str(data.get(key) or "")[:SEARCH_MAX] for key in self.passthrough})
            data = merged
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end, minutes = cleaned.get("start"), cleaned.get("end"), cleaned.get("minutes")
        if start is not None and end is not None and minutes is not None:
            try:
                tracing_window_check(start=start, end=end, minutes=minutes)
            except DomainError as error:
                self.add_error(error.field if error.field in self.fields else None, str(error.message))
        return cleaned


class TracingSearchForm(TracingWindowForm):
    """The first page: find the person by a search (name, initials, last 4 digits, room) or by id."""

    q = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "type": "search"}),
        help_text=_("Name, pinyin initials, the last 4 digits of an ID or phone number, or a room."),
    )
    resident = forms.IntegerField(
        label=_("or resident number"),
        required=False,
        min_value=1,
        max_value=2**62,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    passthrough = ("q", "resident")


class TracingScreeningForm(forms.Form):
    """Turn the selected contacts into a screening list (协查名单)."""

    title = forms.CharField(
        label=_("Title of the list"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    deadline = forms.DateTimeField(label=_("Answer by"), input_formats=INPUT_FORMATS, widget=DATETIME_WIDGET)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.resident_ids: list[int] = []
        if data is not None:
            raw = data.getlist("contact") if hasattr(data, "getlist") else data.get("contact", [])
            for value in list(raw)[: CONTACTS_MAX + 1]:
                text = str(value)[:20]
                if text.isdigit() and 0 < int(text) < 2**62:
                    self.resident_ids.append(int(text))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.resident_ids:
            raise forms.ValidationError(_("Tick at least one resident among the contacts."))
        if len(self.resident_ids) > CONTACTS_MAX:
            raise forms.ValidationError(_("At most %(n)d residents at once.") % {"n": CONTACTS_MAX})
        return cleaned
