"""The one upload check: size, and what a file really is, read from its content.

A client's content type and a file's name are claims. A Windows program renamed "通知.pdf" is
still a program, and a worker who opens it on the office PC runs it. So every attachment goes
through `upload_check`, which

* refuses an empty file, and a file over the limit (`FANGXIAN_MAX_UPLOAD_BYTES`, or a smaller
  limit the caller passes) with a message naming the limit;
* recognises the kind by its first bytes (magic numbers): PDF, PNG, JPEG, GIF, WebP, Office
  Open XML (a zip holding `[Content_Types].xml`: Word, Excel, PowerPoint), and plain text or CSV
  in UTF-8 or GBK (what Excel on Chinese Windows writes);
* refuses programs and scripts by name ("MZ" Windows executables, ELF, Mach-O, shell scripts)
  and web pages dressed as text (HTML, SVG), which a browser would run;
* requires the name's extension to agree with the content (an .exe named .pdf, a PNG named .jpg);
* returns the content type it detected (never the client's) and the SHA-256 of the content.

It reads the file once, in chunks, so a 20 MB upload is never held in memory twice.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangxian.core.errors import DomainError

CHUNK = 64 * 1024
HEAD = 8 * 1024


class UploadRejected(DomainError):
    """A file that is not accepted; `code` says why (empty, too large, not allowed, disguised)."""

    code = "upload_rejected"
    status = 400


class UploadTooLarge(UploadRejected):
    code = "upload_too_large"
    status = 413


class CheckedUpload(NamedTuple):
    content_type: str
    sha256: str


@dataclass(frozen=True)
class Kind:
    """A kind of file we accept: its name for people, its MIME type, the extensions it may carry."""

    key: str
    label: Any
    content_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("pdf", gettext_lazy("PDF document"), "application/pdf", (".pdf",)),
        Kind("png", gettext_lazy("PNG image"), "image/png", (".png",)),
        Kind("jpeg", gettext_lazy("JPEG image"), "image/jpeg", (".jpg", ".jpeg")),
        Kind("gif", gettext_lazy("GIF image"), "image/gif", (".gif",)),
        Kind("webp", gettext_lazy("WebP image"), "image/webp", (".webp",)),
        Kind(
            "docx",
            gettext_lazy("Word document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind(
            "xlsx",
            gettext_lazy("Excel workbook"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        Kind(
            "pptx",
            gettext_lazy("PowerPoint presentation"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind("text", gettext_lazy("plain text"), "text/plain", (".txt",)),
        Kind("csv", gettext_lazy("CSV table"), "text/csv", (".csv",)),
    )
}
# What attachments of tasks and directives may be, unless a caller narrows it.
DEFAULT_KINDS = tuple(KINDS)

# Content we refuse whatever it is called, with the name people know it by.
_EXECUTABLES: tuple[tuple[bytes, Any], ...] = (
    (b"MZ", gettext_lazy("a Windows program (.exe)")),
    (b"\x7fELF", gettext_lazy("a Linux program")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("a macOS or Java program")),
    (b"#!", gettext_lazy("a script")),
)
_MARKUP_STARTS = ("<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "<iframe")
# Control characters that never occur in a text file (tab, line breaks, form feed and the DOS end
# of file are allowed): one of them means binary content.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f-\x9f]")
_OFFICE_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


def upload_limit_bytes(max_bytes: int | None = None) -> int:
    """The limit for one file: the caller's, never above the platform's."""
    limit = int(settings.FANGXIAN_MAX_UPLOAD_BYTES)
    return min(limit, max_bytes) if max_bytes else limit


def upload_safe_name(name: str, *, max_length: int = 200) -> str:
    """The file's own name without any path, control characters or leading dots, at most `max_length`."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        return "file"
    stem, extension = os.path.splitext(name)
    if len(extension) > 16:
        stem, extension = name, ""
    return stem[: max_length - len(extension)] + extension


def upload_check(
    file: IO[bytes] | bytes,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    kinds: Iterable[str] | None = None,
) -> CheckedUpload:
    """Check an uploaded file (a Django UploadedFile, any binary file object, or bytes) or raise UploadRejected.

    `name` defaults to the file's own name; `max_bytes` may lower the platform's limit; `kinds`
    narrows the accepted kinds (keys of KINDS). The file is left positioned at its start.
    """
    if isinstance(file, bytes | bytearray):
        file = io.BytesIO(bytes(file))
    name = upload_safe_name(name if name is not None else getattr(file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower()
    allowed = tuple(kinds) if kinds is not None else DEFAULT_KINDS
    limit = upload_limit_bytes(max_bytes)

    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit)

    digest = hashlib.sha256()
    head = b""
    size = 0
    text = _TextSniffer()
    _rewind(file)
    for chunk in _chunks(file):
        size += len(chunk)
        if size > limit:
            _rewind(file)
            raise _too_large(limit)
        digest.update(chunk)
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        text.feed(chunk)
    _rewind(file)
    if size == 0:
        raise UploadRejected(_("The file is empty."), code="upload_empty", field="file")

    for magic, what in _EXECUTABLES:
        # A binary program is never valid text; a script ("#!") is text but still a program.
        if head.startswith(magic) and (magic == b"#!" or not text.is_text):
            raise UploadRejected(
                _("“%(name)s” is %(what)s, not a document or a picture. Programs and scripts cannot be attached.")
                % {"name": name, "what": what},
                code="upload_executable",
                field="file",
            )

    if text.is_text and text.is_markup:
        raise UploadRejected(
            _(
                "“%(name)s” is a web page or drawing with markup (HTML, SVG), which a browser would run. "
                "Attach it as PDF or as a picture."
            )
            % {"name": name},
            code="upload_markup",
            field="file",
        )
    kind = _detect(file, head, text)
    if kind is None:
        raise UploadRejected(
            _("“%(name)s” is not a kind of file that can be attached. Allowed: %(allowed)s.")
            % {"name": name, "allowed": _allowed_text(allowed)},
            code="upload_type_not_allowed",
            field="file",
        )
    if kind.key not in allowed:
        raise UploadRejected(
            _("%(kind)s files cannot be attached here. Allowed: %(allowed)s.")
            % {"kind": kind.label, "allowed": _allowed_text(allowed)},
            code="upload_type_not_allowed",
            field="file",
        )
    if extension not in kind.extensions:
        raise UploadRejected(
            _(
                "“%(name)s” is named %(extension)s but its content is a %(kind)s. "
                "Rename it to %(expected)s or attach the right file."
            )
            % {
                "name": name,
                "extension": extension or _("(no extension)"),
                "kind": kind.label,
                "expected": " / ".join(kind.extensions),
            },
            code="upload_type_mismatch",
            field="file",
        )
    content_type = kind.content_type
    if kind.key in ("text", "csv"):
        content_type += f"; charset={text.encoding}"
    return CheckedUpload(content_type=content_type, sha256=digest.hexdigest())


# --- refusing an oversize upload while it streams in --------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """Stops receiving a file as soon as it passes the limit, instead of writing it all to disk first.

    The file is skipped (the rest of the form still arrives) and the request is marked, so the page
    can say "larger than 20 MB" as `upload_check` would. Installed by `upload_limited`.
    """

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = upload_limit_bytes(limit)
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = _too_large(self.limit)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_limited(view: Any, max_bytes: int | None = None) -> Any:
    """Decorate a view that takes files: oversize files are cut off while they arrive.

    The handler must be in place before anything reads the body, and the CSRF middleware reads it
    for every POST; so the CSRF check moves into the view, after the handler (Django's documented
    pattern for upload handlers). The view finds `request.upload_too_large` (an UploadTooLarge)
    when a file was cut off, and `upload_error(request)` returns it.
    """
    from functools import wraps

    from django.views.decorators.csrf import csrf_exempt, csrf_protect

    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        request.upload_too_large = None
        if request.method == "POST":
            request.upload_handlers.insert(0, UploadLimitHandler(request, max_bytes))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def upload_error(request: Any) -> UploadTooLarge | None:
    """The error of a file cut off by `upload_limited`, if any (reads the body first if nothing has)."""
    _files = request.FILES  # noqa: F841 - parsing the body is what runs the handler
    return getattr(request, "upload_too_large", None)


def _too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        _("The file is larger than %(limit)s. Send a smaller file (compress pictures, split long documents).")
        % {"limit": filesizeformat(limit)},
        field="file",
    )


def _allowed_text(keys: Iterable[str]) -> str:
    return ", ".join(str(KINDS[key].label) for key in keys if key in KINDS)


def _rewind(file: Any) -> None:
    try:
        file.seek(0)
    except (AttributeError, OSError, ValueError):
        pass


def _chunks(file: Any) -> Iterator[bytes]:
    if hasattr(file, "chunks"):
        yield from file.chunks(CHUNK)
        return
    while chunk := file.read(CHUNK):
        yield chunk


def _detect(file: Any, head: bytes, text: _TextSniffer) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return KINDS["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return KINDS["webp"]
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(file)
    if text.is_text:
        return KINDS["csv"] if _looks_like_csv(text.sample) else KINDS["text"]
    return None


def _office_kind(file: Any) -> Kind | None:
    """A zip is an Office Open XML document only with `[Content_Types].xml`; nothing is extracted."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        _rewind(file)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, key in _OFFICE_PARTS.items():
        if any(n.startswith(prefix) for n in names):
            return KINDS[key]
    return None


def _looks_like_csv(sample: str) -> bool:
    """Several lines with the same number (at least two) of commas or tabs: a table, not prose."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for separator in (",", "\t", "，"):
        counts = {line.count(separator) for line in lines[:-1]}  # the last line may be cut off
        if len(counts) == 1 and counts.pop() >= 1:
            return True
    return False


class _TextSniffer:
    """Decides, chunk by chunk, whether the content is UTF-8 or GBK text without binary control bytes."""

    def __init__(self) -> None:
        self._decoders = {
            "utf-8": codecs.getincrementaldecoder("utf-8-sig")(),
            "gbk": codecs.getincrementaldecoder("gbk")(),
        }
        self._alive = dict.fromkeys(self._decoders, True)
        self._finished = False
        self.sample = ""

    def feed(self, chunk: bytes) -> None:
        for encoding, decoder in self._decoders.items():
            if not self._alive[encoding]:
                continue
            try:
                decoded = decoder.decode(chunk)
            except UnicodeDecodeError:
                self._alive[encoding] = False
                continue
            if _CONTROL.search(decoded):
                self._alive[encoding] = False
                continue
            if encoding == self.encoding and len(self.sample) < HEAD:
                self.sample += decoded[: HEAD - len(self.sample)]

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        for encoding, decoder in self._decoders.items():
            if self._alive[encoding]:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    self._alive[encoding] = False

    @property
    def encoding(self) -> str:
        return "utf-8" if self._alive["utf-8"] else "gbk"

    @property
    def is_text(self) -> bool:
        self._finish()
        return any(self._alive.values()) and bool(self.sample.strip())

    @property
    def is_markup(self) -> bool:
        """A web page or SVG: a browser would run its scripts, so it is not "plain text"."""
        return self.sample.lstrip().lower().startswith(_MARKUP_STARTS)
