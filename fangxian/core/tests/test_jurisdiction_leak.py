"""The generic jurisdiction leak test: no page and no API endpoint shows a sibling's rows.

It discovers, without any list to maintain:
* every URL whose view derives from ScopedListView / ScopedDetailView (others must carry
  `@leak_exempt("why")`, or the test fails naming them);
* every GET operation of the API, which must declare `x-fangxian-scope` in its OpenAPI extras;
* every model registered in the admin, which must use ScopedAdmin.
For every model those read it creates, through the app's registered leak factory, one row per
test grid carrying a unique marker; then it logs in as personas of sibling communities, grids and
streets and checks that no marker of the sibling's grids appears anywhere, and that the sibling's
detail pages answer 404. It also checks that every model's own markers were seen somewhere, so the
test cannot pass by showing nothing.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.api import api
from fangxian.core.admin import ScopedAdmin, admin_site
from fangxian.core.api import SCOPE_KEY
from fangxian.core.testing import GRIDS, LEAK_FACTORIES, PERSONAS, SIBLINGS, grids_under, login
from fangxian.core.views import ScopedDetailView, ScopedListView

# Views from Django or libraries that show no jurisdictional rows.
THIRD_PARTY_EXEMPT = {
    "django.views.i18n.set_language": "language switch",
    "django.views.i18n.JavaScriptCatalog": "translations",
}


def _load_factories() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("fangxian."):
            try:
                importlib.import_module(f"{config.name}.tests.factories")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.tests.factories":
                    raise


@dataclass
class Route:
    name: str
    pattern: str
    callback: object
    view_class: type | None
    kwargs: list[str]


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            routes.append(Route(name, prefix + str(entry.pattern), callback, getattr(callback, "view_class", None),
                                list(entry.pattern.converters)))
    return routes


def _dotted(callback) -> str:
    target = getattr(callback, "view_class", callback)
    return f"{target.__module__}.{target.__qualname__}"


def _html_routes() -> tuple[list[Route], list[Route], list[str]]:
    lists, details, uncovered = [], [], []
    for route in _walk(get_resolver().url_patterns):
        if route.name.startswith(("api:", "admin:")) or route.pattern.startswith(("api/", "admin/")):
            continue
        cls = route.view_class
        if cls is not None and issubclass(cls, ScopedListView):
            lists.append(route)
        elif cls is not None and issubclass(cls, ScopedDetailView):
            details.append(route)
        elif getattr(cls or route.callback, "leak_exempt", None) or _dotted(route.callback) in THIRD_PARTY_EXEMPT:
            continue
        else:
            uncovered.append(f"{route.pattern} ({_dotted(route.callback)})")
    return lists, details, uncovered


def test_every_view_is_scoped_or_exempt():
    _lists, _details, uncovered = _html_routes()
    assert not uncovered, "views neither scoped nor @leak_exempt: " + ", ".join(uncovered)


def _api_operations() -> list[tuple[str, dict]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [(path, operations["get"]) for path, operations in schema["paths"].items() if "get" in operations]


def test_every_api_read_declares_its_scope():
    missing = [path for path, op in _api_operations() if SCOPE_KEY not in op]
    assert not missing, f"API GET operations without {SCOPE_KEY}: {missing}"


def test_every_admin_model_is_scoped():
    unscoped = [m._meta.label for m, a in admin_site._registry.items() if not isinstance(a, ScopedAdmin)]
    assert not unscoped, f"admin classes not derived from ScopedAdmin: {unscoped}"


def _models_in_use() -> set[type]:
    lists, details, _ = _html_routes()
    used = {route.view_class.model for route in lists + details}
    used |= {apps.get_model(op[SCOPE_KEY]["model"]) for _, op in _api_operations() if op[SCOPE_KEY].get("model")}
    used |= set(admin_site._registry)
    return used


@pytest.fixture
def seeded(world):
    """One row per model per grid, with a marker unique to (grid, model)."""
    _load_factories()
    missing = sorted(m._meta.label for m in _models_in_use() if m not in LEAK_FACTORIES)
    assert not missing, f"no leak factory registered for: {missing} (add one in <app>/tests/factories.py)"
    markers: dict[str, dict[type, str]] = defaultdict(dict)
    objects: dict[str, dict[type, object]] = defaultdict(dict)
    for index, model in enumerate(sorted(LEAK_FACTORIES, key=lambda m: m._meta.label)):
        for tag, grid in GRIDS.items():
            marker = f"LK{tag}M{index:02d}X"
            objects[grid][model] = LEAK_FACTORIES[model](grid, marker, world)
            markers[grid][model] = marker
    return world, markers, objects


def _persona_grids(persona: str) -> list[str]:
    _role, area, _household = PERSONAS[persona]
    return grids_under(area) or [area]


def _login(client, world, persona: str) -> None:
    login(client, world.users[persona])


def _detail_url(route: Route, obj) -> str:
    cls = route.view_class
    kwargs = {}
    for name in route.kwargs:
        if name == getattr(cls, "slug_url_kwarg", "slug") and getattr(cls, "slug_field", None):
            kwargs[name] = getattr(obj, cls.slug_field)
        elif name == getattr(cls, "pk_url_kwarg", "pk"):
            kwargs[name] = obj.pk
        else:
            raise AssertionError(f"{route.pattern}: cannot fill URL parameter {name!r} generically")
    return reverse(route.name, kwargs=kwargs)


def _api_detail_path(path: str, scope: dict, obj) -> str:
    return path.replace("{" + scope["param"] + "}", str(getattr(obj, scope["lookup"])))


def find_leaks(client, world, markers, objects) -> tuple[list[str], set[type]]:
    """Walk every page and endpoint as each persona; return the leaks and the models whose own rows showed."""
    lists, details, _ = _html_routes()
    api_ops = _api_operations()
    seen_own: set[type] = set()
    leaks: list[str] = []

    for persona, sibling_area in SIBLINGS.items():
        client.logout()
        _login(client, world, persona)
        sibling_markers = {m: model for g in grids_under(sibling_area) for model, m in markers[g].items()}
        own_markers = {m: model for g in _persona_grids(persona) for model, m in markers.get(g, {}).items()}

        def check(url: str, body: str, persona=persona, sibling_markers=sibling_markers, own_markers=own_markers):
            leaks.extend(f"{persona} sees {m} ({model._meta.label}) at {url}"
                         for m, model in sibling_markers.items() if m in body)
            seen_own.update(model for m, model in own_markers.items() if m in body)

        for route in lists:
            if route.kwargs:
                continue
            url = reverse(route.name)
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403), f"{persona} {url}: {response.status_code}"
            check(url, response.content.decode())
        for route in details:
            model = route.view_class.model
            for grid in grids_under(sibling_area):
                url = _detail_url(route, objects[grid][model])
                response = client.get(url)
                if response.status_code not in (403, 404):
                    leaks.append(f"{persona} opens {url} of {grid}: {response.status_code}")
            for grid in _persona_grids(persona):
                if model in objects.get(grid, {}):
                    url = _detail_url(route, objects[grid][model])
                    response = client.get(url)
                    if response.status_code == 200:
                        check(url, response.content.decode())
        for path, op in api_ops:
            scope = op[SCOPE_KEY]
            if scope["kind"] == "list" and "{" not in path:
                response = client.get(path)
                assert response.status_code in (200, 403), f"{persona} {path}: {response.status_code}"
                check(path, response.content.decode())
            elif scope["kind"] == "detail":
                model = apps.get_model(scope["model"])
                for grid in grids_under(sibling_area):
                    url = _api_detail_path(path, scope, objects[grid][model])
                    response = client.get(url)
                    if response.status_code not in (403, 404):
                        leaks.append(f"{persona} reads {url} of {grid}: {response.status_code}")
                for grid in _persona_grids(persona):
                    response = client.get(_api_detail_path(path, scope, objects[grid][model]))
                    if response.status_code == 200:
                        check(path, response.content.decode())

    return leaks, seen_own


@pytest.mark.django_db
def test_no_page_or_endpoint_shows_a_siblings_rows(seeded, client):
    world, markers, objects = seeded
    leaks, seen_own = find_leaks(client, world, markers, objects)
    assert not leaks, "jurisdiction leaks:\n" + "\n".join(leaks)
    never_seen = sorted(m._meta.label for m in _models_in_use() - seen_own - set(admin_site._registry))
    assert not never_seen, f"own rows of these models never appeared on any page: {never_seen}"


@pytest.mark.django_db
def test_admin_of_one_street_sees_nothing_of_another(seeded, client):
    world, markers, _objects = seeded
    _login(client, world, "admin_street2")
    street1_markers = [m for g in grids_under("370202001") for m in markers[g].values()]
    for model in admin_site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        body = response.content.decode()
        assert not [m for m in street1_markers if m in body], f"admin of street 2 sees street 1 rows at {url}"


@pytest.mark.django_db
def test_the_leak_test_catches_a_missing_scope(seeded, client, monkeypatch):
    """Break scoping on purpose: the walk must then report leaks (it is not vacuous)."""
    from fangxian.areas.models import Household
    from fangxian.core.scoping import ScopedQuerySet

    original = ScopedQuerySet.visible_to

    def leaky(self, actor):
        return self.all() if self.model is Household else original(self, actor)

    monkeypatch.setattr(ScopedQuerySet, "visible_to", leaky)
    world, markers, objects = seeded
    leaks, _seen = find_leaks(client, world, markers, objects)
    assert any("areas.Household" in leak or "/households/" in leak for leak in leaks)
