"""`fangxian createadmin`: the first administrator of a fresh installation."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area
from fangxian.core.audit import acting_as, audit_record
from fangxian.core.models import AuditAction
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor


class Command(BaseCommand):
    help = "Create an administrator with a role at an area (the area must exist: run load-divisions first)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--area", required=True, help="Area code of the administrator's jurisdiction, e.g. 3702")
        parser.add_argument("--password", help="Read from the terminal when omitted.")

    def handle(self, *args: Any, username: str, area: str, password: str | None, **options: Any) -> None:
        if not Area.objects.filter(code=area).exists():
            raise CommandError(f"No area {area}: load the division tree first (fangxian load-divisions {area[:4]}).")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username} exists already.")
        password = password or getpass.getpass("Password: ")
        user = User(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with acting_as(Actor.system("createadmin")) as actor:
            user.set_password(password)
            user.is_staff = True
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR, area_code=area)
            audit_record(AuditAction.CREATE, actor=actor, obj=user, object_label=username, area_code=area)
        self.stdout.write(self.style.SUCCESS(
            f"Administrator {username} created for area {area}. At first login, set up the authenticator app."))
