"""Copy the front-end files that fangxian serves from npm packages into `fangxian/core/static/vendor/`.

Government networks are often closed, so no page may load anything from a CDN: every script,
style sheet and WebAssembly module comes from a package pinned in package-lock.json and is served
by the app itself. htmx is not here: django-htmx ships it. Run after `npm ci`:
`python -m fangxian.assets`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "fangxian" / "core" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    # The QR scanner: a BarcodeDetector polyfill and the zxing WebAssembly it loads, from the
    # zxing-wasm version the polyfill was built against (npm nests it under barcode-detector when
    # it differs from a top-level one). Pages must point the polyfill at our copy
    # (prepareZXingModule's locateFile), or it would fetch from a CDN.
    ("barcode-detector/dist/iife/polyfill.js", "barcode-detector/polyfill.js"),
    (("barcode-detector/node_modules/zxing-wasm/dist/reader/zxing_reader.wasm",
      "zxing-wasm/dist/reader/zxing_reader.wasm"), "zxing/zxing_reader.wasm"),
]


def _source(node_modules: Path, src: str | tuple[str, ...]) -> Path | None:
    """The first candidate that exists (npm's nesting depends on what else is installed)."""
    for candidate in (src,) if isinstance(src, str) else src:
        if (node_modules / candidate).exists():
            return node_modules / candidate
    return None


def build(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[Path]:
    missing = [str(src) for src, _ in FILES if _source(node_modules, src) is None]
    if missing:
        raise SystemExit(f"missing from {node_modules}: {', '.join(missing)} (run `npm ci` first)")
    written = []
    for src, dest in FILES:
        source, target = _source(node_modules, src), vendor / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
        written.append(target)
    return written


if __name__ == "__main__":
    paths = build()
    sys.stdout.write(f"copied {len(paths)} front-end assets into {VENDOR.relative_to(ROOT)}\n")
