from __future__ import annotations

from django import template
from django.db import models

register = template.Library()


@register.filter
def model_label(obj: models.Model) -> str:
    return obj._meta.label_lower
