"""Leak factories of directives: sent by the grid's street to the grid's community, marker in what pages show."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from fangxian.command.models import Directive, DirectiveAttachment, DirectiveRecipient
from fangxian.core.testing import leak_factory


def make_directive(grid: str, title: str, world, **fields) -> tuple[Directive, DirectiveRecipient]:
    directive = Directive.objects.create(
        area_code=grid[:9],
        title=title,
        body=fields.pop("body", title),
        deadline=timezone.now() + dt.timedelta(days=1),
        sent_by=world.users.get("street1"),
        **fields,
    )
    return directive, DirectiveRecipient.objects.create(directive=directive, area_code=grid[:12])


@leak_factory(Directive)
def directive(grid: str, marker: str, world):
    return make_directive(grid, marker, world)[0]


@leak_factory(DirectiveRecipient)
def directive_recipient(grid: str, marker: str, world):
    _directive, copy = make_directive(grid, "指令副本", world)
    copy.acknowledged_at = copy.reported_at = timezone.now()
    copy.report = marker
    copy.save()
    return copy


@leak_factory(DirectiveAttachment)
def directive_attachment(grid: str, marker: str, world):
    """A real file (the download page reads it) whose content and name carry the marker."""
    parent, _copy = make_directive(grid, "附件指令", world)
    name = f"leak/directives/{marker}.txt"
    if default_storage.exists(name):
        default_storage.delete(name)
    content = f"{marker}\n".encode()
    stored = default_storage.save(name, ContentFile(content))
    return DirectiveAttachment.objects.create(
        area_code=parent.area_code,
        directive=parent,
        file=stored,
        original_name=f"{marker}.txt",
        content_type="text/plain; charset=utf-8",
        size=len(content),
        sha256="0" * 64,
    )
