"""网上传件: files of the checklist's materials travel with the case (RULES.md "The route of a
proxied case": what the station scans or photographs is what the township and county review).

- `upload`: where the case is or came in (the table's `intake_or_current`), a handler adds the
  files of one checklist row: page images become one PDF, a PDF is kept (`bianmin.cases.files`).
- `file_review`: the hall holding the case accepts a file or returns it with a reason. A material
  sent back to the applicant goes in the one-time notice (行政许可法 art. 32), which marks that
  material's files returned as well (`effects.intake.e_notice`).

The event records which files (id, pages, size, SHA-256), so the hash chain also vouches for the
bytes the reviewers saw.
"""

from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed

from ..files import documents_prepare, material_file_store, source_checked
from ..models import CaseMaterial, FileReview, MaterialFile
from .base import Ctx

__all__ = ["e_file_review", "e_upload", "g_file_review", "g_upload"]

REVIEW_NOTE_MAX = 200


def _row(ctx: Ctx) -> CaseMaterial:
    """The checklist row named by its catalog material id (`material`)."""
    raw = ctx.params.get("material")
    if isinstance(raw, bool):
        raw = None
    try:
        material = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed(_("请指明上传的是哪一项材料"), field="material") from None
    row = ctx.case.materials.filter(material_id=material).first()
    if row is None:
        raise ValidationFailed(_("该材料不在本办件的材料清单中"), field="material")
    return row


def g_upload(ctx: Ctx) -> None:
    """The material is on this case's checklist, the source is camera or scanner, and there is
    something to upload (the files themselves are checked, all before any is stored, by the
    effect)."""
    row = _row(ctx)
    source_checked(ctx.params.get("source"))
    if not ctx.params.get("files"):
        raise ValidationFailed(
            _("请拍照或选择要上传的“%(m)s”文件") % {"m": row.name}, field="files"
        )


def e_upload(ctx: Ctx) -> None:
    row = _row(ctx)
    source = source_checked(ctx.params.get("source"))
    documents = documents_prepare(ctx.params.get("files"), label=row.name)
    unit = getattr(getattr(ctx.actor, "staff", None), "unit", None) or ctx.case.current_unit
    stored = [
        material_file_store(
            case=ctx.case,
            row=row,
            document=d,
            source=source,
            actor=ctx.actor,
            unit=unit,
            now=ctx.now,
        )
        for d in documents
    ]
    ctx.data.update(
        material=row.name,
        material_id=row.material_id,
        source=source,
        pages=sum(f.pages for f in stored),
        files=[{"id": f.pk, "pages": f.pages, "size": f.size, "sha256": f.sha256} for f in stored],
    )


def _file(ctx: Ctx) -> MaterialFile:
    raw = ctx.params.get("file")
    try:
        pk = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed(_("请指明审核的材料电子件"), field="file") from None
    found = (
        MaterialFile.objects.filter(case=ctx.case, pk=pk).select_related("material").first()
        if not isinstance(raw, bool)
        else None
    )
    if found is None:
        raise ValidationFailed(_("本办件没有该材料电子件"), field="file")
    return found


def g_file_review(ctx: Ctx) -> None:
    """A file of this case, a verdict (accepted or returned), and the reason when returned (it is
    what the applicant will be told). A returned file stays returned: a new upload replaces it."""
    found = _file(ctx)
    verdict = str(ctx.params.get("verdict") or "")
    if verdict not in (FileReview.ACCEPTED, FileReview.RETURNED):
        raise ValidationFailed(_("请选择认可或退回"), field="verdict")
    note = ctx.text("review_note")
    if verdict == FileReview.RETURNED and not note:
        raise ValidationFailed(_("退回材料须写明理由（如：照片模糊、缺页）"), field="review_note")
    if len(note) > REVIEW_NOTE_MAX:
        raise ValidationFailed(
            _("审核意见不能超过 %(n)s 字") % {"n": REVIEW_NOTE_MAX}, field="review_note"
        )
    if found.review == FileReview.RETURNED:
        raise Conflict(_("该电子件已退回，请上传新的电子件后再审核"), code=ErrorCode.FILE_RETURNED)
    if found.review == verdict:
        raise Conflict(
            _("该电子件已是「%(v)s」") % {"v": FileReview(verdict).label},
            code=ErrorCode.FILE_REVIEWED,
        )


def e_file_review(ctx: Ctx) -> None:
    found = _file(ctx)
    verdict = str(ctx.params["verdict"])
    found.review = verdict
    found.reviewed_at, found.reviewed_by = ctx.now, ctx.actor
    found.review_note = ctx.text("review_note")
    found.save(update_fields=["review", "reviewed_at", "reviewed_by", "review_note"])
    ctx.data.update(
        file=found.pk,
        material=found.material.name,
        material_id=found.material.material_id,
        verdict=verdict,
        verdict_label=str(FileReview(verdict).label),
    )
    if found.review_note:
        ctx.data["review_note"] = found.review_note
