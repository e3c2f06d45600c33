from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fangxian.core.forms import StyledForm


class AreaImportForm(StyledForm):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: code, name, and optionally geometry (GeoJSON)."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.FANGXIAN_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; at most %(limit).1f MB is accepted.")
                % {"size": upload.size / (1024 * 1024), "limit": limit / (1024 * 1024)}
            )
        return upload
