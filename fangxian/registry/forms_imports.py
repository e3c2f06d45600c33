"""Forms of the resident import: the upload (file and grid) and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangxian.registry.importing.cells import text
from fangxian.registry.importing.headers import field_choices


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook or CSV file"), help_text=_("Excel (.xlsx, .xls) or CSV in UTF-8 or GBK."))
    grid = forms.ChoiceField(
        label=_("Grid"), help_text=_("Residents are placed in this grid unless the file has a grid code column.")
    )

    def __init__(self, *args: Any, grids: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.code, f"{g.name} ({g.code})") for g in grids]
        self.fields["file"].widget.attrs.update({"accept": ".xlsx,.xls,.csv", "data-testid": "import-file"})
        self.fields["grid"].widget.attrs.update({"class": "form-select", "data-testid": "import-grid"})


class ImportMappingForm(forms.Form):
    """One choice per column of the header row, prefilled with the recognised field."""

    def __init__(self, *args: Any, header: list[Any], mapping: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column, title in enumerate(header):
            name = f"column_{column}"
            self.fields[name] = forms.ChoiceField(
                label=text(title) or _("Column %(number)s") % {"number": column + 1},
                choices=field_choices(),
                required=False,
                initial=mapping.get(column, ""),
            )
            self.fields[name].widget.attrs.update({"class": "form-select", "data-testid": f"map-{column}"})
        self.fields["update_existing"] = forms.BooleanField(
            label=_(
                "Update people already registered with the file's name, phone, relation, residence type, "
                "employer and notes"
            ),
            help_text=_("Empty cells change nothing; dwellings and statuses are changed on each person's page."),
            required=False,
        )
        self.fields["update_existing"].widget.attrs.update(
            {"class": "form-check-input", "data-testid": "import-update"}
        )

    def column_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("column_")]

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("column_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_") and value
        }
