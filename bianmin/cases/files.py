"""网上传件: the electronic copies of a case's materials (RULES.md "The route of a proxied case").

What the station photographs (a phone or tablet camera, the document camera 高拍仪) or scans is
what the township and the county review, so each upload becomes one PDF per material:

- page images (JPEG or PNG, several pages of one material) are checked by content and size
  (`bianmin.common.uploads.upload_checked`), refused from the header, before decoding, when their
  pixel count would make a decompression bomb, re-encoded so that only the pixels survive (no EXIF: no GPS position,
  no camera serial), shrunk to `MAX_LONG_SIDE` pixels if the device did not already, and
  assembled into one PDF with a JPEG thumbnail of page 1;
- a PDF (from a scanner) is checked the same way and stored as it is, one file per PDF.

The writes go through the `upload` and `file_review` rows of the workflow table
(`effects.files`); this module prepares the bytes and reads the files back for the pages.
"""

import contextlib
import hashlib
import io
import re
import secrets
import zlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from bianmin.common.errors import ValidationFailed
from bianmin.common.uploads import CheckedUpload, upload_checked

from .models import Case, CaseMaterial, FileSource, MaterialFile

# A page is kept at most this many pixels on its long side: legible at A4 (about 170 dpi) and a
# few hundred kilobytes, so that the township can open it over a village link.
MAX_LONG_SIDE = 2000
# Pages one upload may carry (a household register with every member is about twenty).
MAX_PAGES = 40
JPEG_QUALITY = 80
THUMBNAIL_BOX = (240, 240)
A4_LONG_INCHES = 11.69
PDF = "application/pdf"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
FIELD_PREFIX = "material_files_"
SOURCE_PREFIX = "material_source_"


@dataclass(frozen=True)
class Document:
    """One file to store for a material: PDF bytes, their page count, the page-1 thumbnail."""

    content: bytes
    pages: int
    thumbnail: bytes | None = None
    content_type: str = PDF

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class Pages(list):
    """The uploads of one material, with where they came from (`FileSource`): what
    `files_from_request` returns per material and `case_register(files=...)` takes."""

    def __init__(self, items=(), *, source: str = FileSource.SCANNER) -> None:
        super().__init__(items)
        self.source = source


# --- checking and converting ------------------------------------------------------------------


def _decoded(value: Any, *, index: int, field: str) -> Any:
    """An upload from a page (a Django UploadedFile) as it is; bytes, or base64 text or a
    `data:` URL from the API, as a named in-memory file for `upload_checked`."""
    name = _("第%(n)s个文件") % {"n": index}
    if isinstance(value, str):
        import base64
        import binascii

        text = value.split(",", 1)[1] if value.startswith("data:") else value
        try:
            value = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                _("“%(n)s”不是有效的 base64 文件内容") % {"n": name}, field=field
            ) from None
    if isinstance(value, bytes | bytearray):
        return ContentFile(bytes(value), name=name)
    if hasattr(value, "read"):
        return value
    raise ValidationFailed(_("“%(n)s”不是文件") % {"n": name}, field=field)


def page_image(checked: CheckedUpload, *, field: str) -> Image.Image:
    """The pixels of one page image, upright (EXIF orientation applied), in RGB or grey, at most
    `MAX_LONG_SIDE` on the long side. `upload_checked` has already refused, from the header and
    before anything was decoded, an image of more than `MAX_IMAGE_PIXELS`."""
    name = checked.original_name
    try:
        image: Image.Image = Image.open(io.BytesIO(checked.content), formats=("PNG", "JPEG"))
        if image.format == "JPEG":
            # Decode a JPEG at a reduced scale straight away: less memory, same result.
            image.draft("RGB", (MAX_LONG_SIDE, MAX_LONG_SIDE))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            _("“%(n)s”图片已损坏，无法识别") % {"n": name}, field=field
        ) from None
    # An unreadable EXIF block: keep the pixels as they are.
    with contextlib.suppress(OSError, ValueError, SyntaxError):
        image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        page = Image.new("RGB", rgba.size, "white")
        page.paste(rgba, mask=rgba.getchannel("A"))
        image = page
    elif image.mode in ("1", "I;16", "I", "F"):
        image = image.convert("L")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if max(image.size) > MAX_LONG_SIDE:
        image.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    # A fresh image carries no metadata of the original: only the pixels go on.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def images_pdf(images: list[Image.Image]) -> bytes:
    """One PDF of the page images in order, each page about A4 on its long side."""
    longest = max(max(i.size) for i in images)
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=max(longest / A4_LONG_INCHES, 72.0),
        quality=JPEG_QUALITY,
        title="",
        author="",
        creator="bianmin",
        producer="bianmin",
    )
    return buffer.getvalue()


def thumbnail_jpeg(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.convert("RGB").save(buffer, "JPEG", quality=70, optimize=True)
    return buffer.getvalue()


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm.*?stream\r?\n", re.DOTALL)


def pdf_pages(content: bytes) -> int:
    """How many pages a PDF has, from its page objects (also inside compressed object streams,
    inflated to a bounded size); 1 when it cannot be told."""
    count = len(_PAGE.findall(content))
    if count:
        return min(count, 9999)
    budget = 20 * 1024 * 1024
    for match in _OBJECT_STREAM.finditer(content):
        end = content.find(b"endstream", match.end())
        if end < 0 or budget <= 0:
            break
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(content[match.end() : end], budget)
        except zlib.error:
            continue
        budget -= len(text)
        count += len(_PAGE.findall(text))
    return min(count, 9999) or 1


def documents_prepare(values: Any, *, label: str, field: str = "files") -> list[Document]:
    """What one upload of a material becomes: its page images as one PDF, each PDF as it is.

    `values` is a list of Django UploadedFiles, bytes, base64 text or `data:` URLs (the API), or
    `Document`s already prepared. Each is checked by content and size (`upload_checked`); the
    first refusal is raised as ValidationFailed naming `field`, with the material `label` and the
    file in the message, before anything is stored.
    """
    if not isinstance(values, list | tuple):
        values = [values] if values else []
    if not values:
        raise ValidationFailed(_("请拍照或选择要上传的“%(m)s”文件") % {"m": label}, field=field)
    if len(values) > MAX_PAGES:
        raise ValidationFailed(
            _("“%(m)s”一次最多上传 %(n)s 页，请分次上传") % {"m": label, "n": MAX_PAGES},
            field=field,
        )
    out: list[Document] = []
    images: list[Image.Image] = []
    image_at: int | None = None  # where the pages' PDF goes among the documents
    try:
        for index, value in enumerate(values, start=1):
            if isinstance(value, Document):
                out.append(value)
                continue
            checked = upload_checked(_decoded(value, index=index, field=field), field=field)
            if checked.content_type == PDF:
                out.append(Document(content=checked.content, pages=pdf_pages(checked.content)))
            else:
                if image_at is None:
                    image_at = len(out)
                images.append(page_image(checked, field=field))
    except ValidationFailed as error:
        raise ValidationFailed(
            _("%(m)s：%(e)s") % {"m": label, "e": error.message}, field=field
        ) from None
    if images:
        pdf = images_pdf(images)
        thumb = thumbnail_jpeg(images[0])
        out.insert(image_at or 0, Document(content=pdf, pages=len(images), thumbnail=thumb))
    return out


def source_checked(value: Any) -> str:
    """`camera` or `scanner` (FileSource); empty means scanner, the plain file input."""
    source = str(value or FileSource.SCANNER).strip()
    if source not in FileSource.values:
        raise ValidationFailed(_("材料来源只能是拍照或扫描/上传"), field="source")
    return source


def material_file_store(
    *, case: Case, row: CaseMaterial, document: Document, source: str, actor, unit, now
) -> MaterialFile:
    """Save one prepared document of a checklist row. The stored name is random: never the
    uploader's file name, and not guessable from the case number."""
    stem = f"{case.number}-{row.material_id}-{secrets.token_hex(8)}"
    record = MaterialFile(
        case=case,
        material=row,
        content_type=document.content_type,
        pages=document.pages,
        size=len(document.content),
        sha256=document.sha256,
        source=source,
        uploaded_at=now,
        uploaded_by=actor,
        unit=unit,
    )
    record.file.save(f"{stem}.pdf", ContentFile(document.content), save=False)
    if document.thumbnail:
        record.thumbnail.save(f"{stem}-p1.jpg", ContentFile(document.thumbnail), save=False)
    record.save()
    return record


# --- pages -------------------------------------------------------------------------------------


def files_from_request(request) -> dict[int, Pages]:
    """The files posted per material: `material_files_<catalog material id>` (several), with
    `material_source_<id>` saying camera or scanner. The intake form and the case page's upload
    form both post these names (`cases/_material_capture.html`)."""
    out: dict[int, Pages] = {}
    for key in request.FILES:
        if not key.startswith(FIELD_PREFIX) or not key[len(FIELD_PREFIX) :].isdigit():
            continue
        material = int(key[len(FIELD_PREFIX) :])
        uploads = [f for f in request.FILES.getlist(key) if getattr(f, "size", 0)]
        if uploads:
            source = request.POST.get(f"{SOURCE_PREFIX}{material}", "") or FileSource.SCANNER
            out[material] = Pages(uploads, source=source)
    return out


def case_files(case: Case) -> dict[int, list[MaterialFile]]:
    """The case's material files by checklist row (CaseMaterial id), oldest first, with the
    uploader, the unit and the reviewer read in the same query."""
    out: dict[int, list[MaterialFile]] = {}
    rows = MaterialFile.objects.filter(case=case).select_related(
        "uploaded_by__staff", "reviewed_by__staff", "unit"
    )
    for f in rows.order_by("uploaded_at", "pk"):
        out.setdefault(f.material_id, []).append(f)
    return out


def material_row_context(case: Case, actor, material: int) -> dict | None:
    """What `cases/_material_files.html` needs for one checklist row (by catalog material id),
    as the case page gives it: the row, the case's files by row, and whether `actor` may upload
    or review now (the workflow table decides: `upload` where the case is or came in,
    `file_review` by the hall holding it). None when the material is not on the checklist."""
    from .services.engine import case_actions_for

    row = case.materials.select_related("material").filter(material_id=material).first()
    if row is None:
        return None
    allowed = case_actions_for(case, actor)
    files = case_files(case).get(row.pk, [])
    return {
        "case": case,
        "row": row,
        "files": {row.pk: files},
        "can_upload": "upload" in allowed,
        "can_review_files": "file_review" in allowed,
    }
