"""One model and its to-one relations, read by a statement whose SQL is written once per process.

Django compiles a queryset's SQL on every evaluation: for `select_related` over four tables that is
most of a millisecond, more than the query itself takes on a local database. A path that runs on
every request of a busy endpoint (a guard's scan) reads the same shape with a different value each
time; `JoinedLoader` builds that statement once, then only executes it and turns the row into model
instances the way the ORM would (the fields' and the backend's converters applied, relations put in
the instances' relation cache, fields not asked for deferred).

It is a reader of rows by a key, not a way around jurisdiction: the caller decides, as with any
unscoped lookup by an unguessable key, whose rows it may act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models


@dataclass
class _Part:
    path: str
    model: type[models.Model]
    alias: str
    fields: list[models.Field]
    parent: int | None
    relation: str  # the field name on the parent that holds this part


class JoinedLoader:
    """`Model.objects.select_related(*related).only(...).filter(<key>=value)`, with the SQL built once.

    `fields` maps "" (the model) and each related path to the field names to load (default: all
    concrete fields); the primary key of each is always loaded. Relations are joined with LEFT JOIN
    so a null foreign key gives None, as `select_related` does.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        key: str,
        related: Sequence[str] = (),
        fields: dict[str, Sequence[str]] | None = None,
        using: str = "default",
    ) -> None:
        self.model, self.key, self.using = model, key, using
        fields = fields or {}
        self.parts: list[_Part] = [_Part("", model, "t0", self._fields(model, fields.get("")), None, "")]
        for path in sorted(related, key=lambda p: p.count("__")):
            parent_path, _sep, name = path.rpartition("__")
            parent = next(i for i, part in enumerate(self.parts) if part.path == parent_path)
            relation = self.parts[parent].model._meta.get_field(name)
            if not (relation.many_to_one or relation.one_to_one) or relation.auto_created:
                raise ValueError(f"{path} is not a forward to-one relation")
            target = relation.related_model
            self.parts.append(
                _Part(path, target, f"t{len(self.parts)}", self._fields(target, fields.get(path)), parent, name)
            )
        self._sql: str | None = None
        self._converters: list[list[Any]] | None = None

    @staticmethod
    def _fields(model: type[models.Model], names: Sequence[str] | None) -> list[models.Field]:
        concrete = [f for f in model._meta.concrete_fields]
        if names is None:
            return concrete
        wanted = set(names) | {model._meta.pk.name}
        return [f for f in concrete if f.name in wanted or f.attname in wanted]

    def _build(self) -> None:
        connection = connections[self.using]
        quote = connection.ops.quote_name
        columns, joins, converters = [], [], []
        for part in self.parts:
            for field in part.fields:
                columns.append(f"{part.alias}.{quote(field.column)}")
            column_converters = []
            for field in part.fields:
                expression = field.get_col(part.alias)
                found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
                column_converters.append((found, expression))
            converters.append(column_converters)
            if part.parent is not None:
                parent = self.parts[part.parent]
                relation = parent.model._meta.get_field(part.relation)
                joins.append(
                    f"LEFT JOIN {quote(part.model._meta.db_table)} {part.alias} "
                    f"ON {part.alias}.{quote(relation.target_field.column)} = {parent.alias}.{quote(relation.column)}"
                )
        key_column = self.model._meta.get_field(self.key).column
        select, table, key = ", ".join(columns), quote(self.model._meta.db_table), quote(key_column)
        # Names come from the models, the value is a parameter.
        self._sql = f"SELECT {select} FROM {table} t0 {' '.join(joins)} WHERE t0.{key} = %s"  # noqa: S608
        self._converters = converters

    def get(self, value: Any) -> models.Model | None:
        """The instance whose key column equals `value`, with its relations cached; None if there is none."""
        if self._sql is None:
            self._build()
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self._sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        return self._instances(row, connection)

    def _instances(self, row: Sequence[Any], connection: Any) -> models.Model:
        built: list[models.Model | None] = []
        start = 0
        for part, converters in zip(self.parts, self._converters or [], strict=True):
            values = list(row[start : start + len(part.fields)])
            start += len(part.fields)
            for index, (functions, expression) in enumerate(converters):
                value = values[index]
                for function in functions:
                    value = function(value, expression, connection)
                values[index] = value
            pk_index = next(i for i, f in enumerate(part.fields) if f.primary_key)
            if values[pk_index] is None:
                built.append(None)
            else:
                instance = part.model.from_db(self.using, [f.attname for f in part.fields], values)
                built.append(instance)
            if part.parent is not None and built[part.parent] is not None:
                built[part.parent]._state.fields_cache[part.relation] = built[-1]
        return built[0]
