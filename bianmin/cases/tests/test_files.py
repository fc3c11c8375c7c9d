"""网上传件: material files uploaded at intake and on the case page, viewed (logged) and reviewed."""

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from bianmin.cases.files import MAX_LONG_SIDE, Pages, files_from_request, pdf_pages
from bianmin.cases.models import Case, CaseEvent, MaterialFile, PersonalDataView
from bianmin.cases.tests.conftest import PERSON, all_provided, material_id
from bianmin.cases.tests.helpers import do, register
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed

# --- test files --------------------------------------------------------------------------------


def jpeg(size=(800, 600), colour="white", *, exif_make: str = "") -> bytes:
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    extra = {}
    if exif_make:
        exif = Image.Exif()
        exif[0x010F] = exif_make  # Make
        extra["exif"] = exif.tobytes()
    image.save(buffer, "JPEG", quality=85, **extra)
    return buffer.getvalue()


def png_rgba(size=(300, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(pages: int = 3) -> bytes:
    images = [Image.new("RGB", (200, 280), "white") for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims `width` x `height` pixels: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- a proxied case at the village, and at the township -----------------------------------------


def village_case(county, items, **kw):
    return register(
        county,
        items.promised,
        staff=county.a11,
        channel="proxy",
        entrustment_signed=True,
        **kw,
    )


def at_township(county, items):
    case = village_case(county, items)
    case = do(case, "forward", county.a11)
    return do(case, "receive", county.t1_staff)


def id_card(items) -> int:
    return material_id(items.promised, "居民身份证")


# --- service: upload ---------------------------------------------------------------------------


def test_two_jpeg_pages_become_one_two_page_pdf_with_a_thumbnail(county, items):
    case = village_case(county, items)
    version = case.lock_version
    case = do(
        case,
        "upload",
        county.a11,
        material=id_card(items),
        files=[upload("front.jpg", jpeg()), upload("back.jpg", jpeg(colour="grey"))],
        source="camera",
    )
    stored = MaterialFile.objects.get(case=case)
    content = stored.file.read()
    assert content.startswith(b"%PDF-") and pdf_pages(content) == 2
    assert (stored.pages, stored.content_type, stored.source) == (2, "application/pdf", "camera")
    assert stored.size == len(content) and stored.material.name == "居民身份证"
    assert stored.unit == county.s11 and stored.uploaded_by == county.a11.user
    assert stored.review == "pending"
    assert stored.thumbnail.read().startswith(b"\xff\xd8\xff")
    # The uploader's file name is nowhere in storage.
    assert "front" not in stored.file.name and stored.file.name.endswith(".pdf")
    event = case.events.order_by("-seq").first()
    assert event.action == "upload" and event.to_state == event.from_state == "submitted"
    assert event.data["material"] == "居民身份证" and event.data["source"] == "camera"
    assert event.data["pages"] == 2
    assert event.data["files"] == [
        {"id": stored.pk, "pages": 2, "size": stored.size, "sha256": stored.sha256}
    ]
    json.dumps(event.data)  # the hash-chained event holds no bytes or file objects
    assert case.lock_version == version + 1


def test_only_the_pixels_survive_and_a_big_photo_is_shrunk(county, items):
    case = village_case(county, items)
    big = jpeg((3000, 1500), exif_make="SECRET-CAMERA-SN123")
    do(case, "upload", county.a11, material=id_card(items), files=[big], source="camera")
    content = MaterialFile.objects.get(case=case).file.read()
    assert b"SECRET-CAMERA-SN123" not in content
    assert f"/Width {MAX_LONG_SIDE}".encode() in content  # 3000 px shrunk to 2000
    assert b"/Width 3000" not in content


def test_transparent_png_scan_becomes_a_page(county, items):
    case = village_case(county, items)
    do(case, "upload", county.a11, material=id_card(items), files=[upload("scan.png", png_rgba())])
    stored = MaterialFile.objects.get(case=case)
    assert stored.pages == 1 and stored.source == "scanner"


def test_pdf_upload_is_stored_as_it_is(county, items):
    case = village_case(county, items)
    original = pdf(3)
    files = [upload("scan.pdf", original, "application/pdf")]
    do(case, "upload", county.a11, material=id_card(items), files=files, source="scanner")
    stored = MaterialFile.objects.get(case=case)
    assert stored.file.read() == original
    assert stored.pages == 3 and not stored.thumbnail


def test_images_and_pdfs_together_make_one_pdf_of_the_images_and_keep_each_pdf(county, items):
    case = village_case(county, items)
    files = [upload("p1.jpg", jpeg()), upload("a.pdf", pdf(2), "application/pdf")]
    files.append(upload("p2.jpg", jpeg()))
    do(case, "upload", county.a11, material=id_card(items), files=files)
    assert sorted(MaterialFile.objects.filter(case=case).values_list("pages", flat=True)) == [2, 2]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("证明.pdf", b"hello, not a pdf", "不是真正的 PDF"),
        ("照片.jpg", b"\xff\xd8\xff\xe0 truncated", "不完整"),
        ("表.docx", b"PK\x03\x04 a word file", "格式不支持"),
        ("空.jpg", b"", "空文件"),
    ],
)
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_saved(county, items, name, content, words):
    case = village_case(county, items)
    events, version = case.events.count(), case.lock_version
    good = upload("good.jpg", jpeg())
    with pytest.raises(ValidationFailed) as e:
        do(case, "upload", county.a11, material=id_card(items), files=[good, upload(name, content)])
    assert e.value.field == "files"
    assert words in e.value.message and "居民身份证" in e.value.message
    case.refresh_from_db()
    assert not MaterialFile.objects.exists() and case.events.count() == events
    assert case.lock_version == version and stored_files() == []


def test_a_file_over_the_size_limit_is_refused(county, items, settings):
    settings.BIANMIN_UPLOAD_MAX_BYTES = 1024
    case = village_case(county, items)
    with pytest.raises(ValidationFailed) as e:
        do(case, "upload", county.a11, material=id_card(items), files=[jpeg((800, 800), "red")])
    assert "超过" in e.value.message and not MaterialFile.objects.exists()


@pytest.mark.parametrize("side", [8_000, 30_000])
def test_a_decompression_bomb_is_refused_before_decoding(county, items, side):
    """8000² passes Pillow's own limit but not ours; 30000² trips Pillow's hard limit too."""
    case = village_case(county, items)
    bomb = upload("bomb.png", png_header_only(side, side), "image/png")
    with pytest.raises(ValidationFailed) as e:
        do(case, "upload", county.a11, material=id_card(items), files=[bomb])
    assert "像素过大" in e.value.message and not MaterialFile.objects.exists()


def test_upload_needs_a_checklist_material_a_source_and_files(county, items):
    case = village_case(county, items)
    other = items.immediate.materials.get().pk
    cases = [
        ({"material": other, "files": [jpeg()]}, "material"),
        ({"material": None, "files": [jpeg()]}, "material"),
        ({"material": id_card(items), "files": []}, "files"),
        ({"material": id_card(items), "files": [jpeg()], "source": "fax"}, "source"),
        ({"material": id_card(items), "files": ["not base64!"]}, "files"),
    ]
    for params, field in cases:
        with pytest.raises(ValidationFailed) as e:
            do(case, "upload", county.a11, **params)
        assert e.value.field == field, params
    assert not MaterialFile.objects.exists()


def test_uploads_follow_the_route_intake_and_holder_only(county, items):
    case = at_township(county, items)
    # The village agent who took it in may still add files; the township holding it may too.
    do(case, "upload", county.a11, material=id_card(items), files=[jpeg()])
    do(case, "upload", county.t1_staff, material=id_card(items), files=[jpeg()])
    assert MaterialFile.objects.filter(case=case).count() == 2
    assert set(MaterialFile.objects.values_list("unit", flat=True)) == {
        county.s11.pk,
        county.tc1.pk,
    }
    for outsider in (county.a12, county.t2_staff):
        with pytest.raises(PermissionDenied):
            do(case, "upload", outsider, material=id_card(items), files=[jpeg()])


# --- service: intake with files ------------------------------------------------------------------


def test_intake_stores_the_files_as_upload_events_after_the_case_is_made(county, items):
    version = items.promised
    files = {
        id_card(items): Pages([upload("1.jpg", jpeg()), upload("2.jpg", jpeg())], source="camera"),
        material_id(version, "申请表"): [upload("form.pdf", pdf(1), "application/pdf")],
    }
    case = village_case(county, items, files=files)
    assert [e.action for e in case.events.order_by("seq")] == ["entrust", "upload", "upload"]
    rows = {f.material.name: f for f in MaterialFile.objects.filter(case=case)}
    assert rows["居民身份证"].pages == 2 and rows["居民身份证"].source == "camera"
    assert rows["申请表"].source == "scanner"
    assert case.lock_version == 2


def test_intake_with_a_bad_file_saves_no_case_and_no_file(county, items):
    files = {
        id_card(items): [upload("ok.jpg", jpeg()), upload("x.pdf", b"fake", "application/pdf")]
    }
    with pytest.raises(ValidationFailed) as e:
        village_case(county, items, files=files)
    assert "居民身份证" in e.value.message
    assert not Case.objects.exists() and stored_files() == []
    with pytest.raises(ValidationFailed):
        village_case(county, items, files={items.immediate.materials.get().pk: [jpeg()]})
    assert not Case.objects.exists()


# --- service: review ---------------------------------------------------------------------------


def test_the_holding_hall_accepts_or_returns_a_file_and_the_event_says_so(county, items):
    case = village_case(county, items, files={id_card(items): [jpeg()]})
    first = MaterialFile.objects.get(case=case)
    # The village station is no hall: it does not review, it sends the case on.
    with pytest.raises(PermissionDenied):
        do(case, "file_review", county.a11, file=first.pk, verdict="accepted")
    case = do(case, "forward", county.a11)
    case = do(case, "receive", county.t1_staff)
    case = do(case, "file_review", county.t1_staff, file=first.pk, verdict="accepted")
    first.refresh_from_db()
    assert first.review == "accepted" and first.reviewed_by == county.t1_staff.user
    event = case.events.order_by("-seq").first()
    assert event.action == "file_review"
    assert event.data["verdict"] == "accepted" and event.data["file"] == first.pk
    assert event.data["verdict_label"] == "已认可" and event.data["material"] == "居民身份证"
    with pytest.raises(ValidationFailed) as e:
        do(case, "file_review", county.t1_staff, file=first.pk, verdict="returned")
    assert e.value.field == "review_note" and "理由" in e.value.message
    case = do(
        case,
        "file_review",
        county.t1_staff,
        file=first.pk,
        verdict="returned",
        review_note="照片模糊",
    )
    first.refresh_from_db()
    assert (first.review, first.review_note) == ("returned", "照片模糊")
    event = case.events.order_by("-seq").first()
    assert event.data["verdict"] == "returned" and event.data["review_note"] == "照片模糊"
    with pytest.raises(Conflict):
        do(case, "file_review", county.t1_staff, file=first.pk, verdict="accepted")


def test_review_refuses_a_file_of_another_case_and_a_bad_verdict(county, items):
    case = at_township(county, items)
    other = village_case(county, items, files={id_card(items): [jpeg()]})
    foreign = MaterialFile.objects.get(case=other)
    with pytest.raises(ValidationFailed) as e:
        do(case, "file_review", county.t1_staff, file=foreign.pk, verdict="accepted")
    assert e.value.field == "file"
    do(case, "upload", county.t1_staff, material=id_card(items), files=[jpeg()])
    mine = MaterialFile.objects.get(case=case)
    with pytest.raises(ValidationFailed) as e:
        do(case, "file_review", county.t1_staff, file=mine.pk, verdict="maybe")
    assert e.value.field == "verdict"


def test_the_one_time_notice_returns_the_files_of_the_material_it_names(county, items):
    case = at_township(county, items)
    do(case, "upload", county.t1_staff, material=id_card(items), files=[jpeg()])
    do(case, "notify_missing", county.t1_staff, materials=[id_card(items)])
    assert MaterialFile.objects.get(case=case).review == "returned"


# --- pages -------------------------------------------------------------------------------------


def file_url(case, f, suffix=""):
    return f"/cases/{case.number}/files/{f.pk}/{suffix}"


def test_viewing_a_file_is_logged_private_and_named_after_the_case(county, items, client):
    case = village_case(county, items, files={id_card(items): [upload("我的身份证.jpg", jpeg())]})
    stored = MaterialFile.objects.get(case=case)
    client.force_login(county.a11.user)
    before = PersonalDataView.objects.filter(case=case, channel="file").count()
    r = client.get(file_url(case, stored))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    assert "no-store" in r["Cache-Control"] and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("inline")
    assert case.number in r["Content-Disposition"] and "身份证" not in r["Content-Disposition"]
    assert PersonalDataView.objects.filter(case=case, channel="file").count() == before + 1
    thumb = client.get(file_url(case, stored, "thumb/"))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert "no-store" in thumb["Cache-Control"]
    assert PersonalDataView.objects.filter(case=case, channel="file").count() == before + 1
    assert client.get(f"/cases/{case.number}/files/999999/").status_code == 404


def test_outside_the_scope_every_file_page_is_403(county, items, client):
    case = village_case(county, items, files={id_card(items): [jpeg()]})
    stored = MaterialFile.objects.get(case=case)
    for outsider in (county.a12, county.t2_staff):
        client.force_login(outsider.user)
        assert client.get(file_url(case, stored)).status_code == 403
        assert client.get(file_url(case, stored, "thumb/")).status_code == 403
        r = client.post(
            f"/cases/{case.number}/materials/{id_card(items)}/files/",
            {f"material_files_{id_card(items)}": upload("a.jpg", jpeg())},
        )
        assert r.status_code == 403
        r = client.post(file_url(case, stored, "review/"), {"verdict": "accepted"})
        assert r.status_code == 403
    assert (
        MaterialFile.objects.count() == 1
        and not PersonalDataView.objects.filter(channel="file").exists()
    )


def test_upload_from_the_case_page_answers_the_row_or_redirects(county, items, client):
    case = village_case(county, items)
    mid = id_card(items)
    client.force_login(county.a11.user)
    url = f"/cases/{case.number}/materials/{mid}/files/"
    body = {
        f"material_files_{mid}": [upload("第1页.jpg", jpeg()), upload("第2页.jpg", jpeg())],
        f"material_source_{mid}": "camera",
    }
    r = client.post(url, body, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content.decode()
    html = r.content.decode()
    assert f'id="mfiles-{mid}"' in html and "共 2 页" in html and "待审" in html
    stored = MaterialFile.objects.get(case=case)
    assert stored.pages == 2 and stored.source == "camera"
    assert f'data-lock-version="{case.lock_version + 1}"' in html
    assert "no-store" in r["Cache-Control"]
    # A plain form post (no script) goes back to the case page at the row.
    r = client.post(url, {f"material_files_{mid}": upload("scan.pdf", pdf(1), "application/pdf")})
    assert r.status_code == 302 and r["Location"].endswith(f"/cases/{case.number}/#material-{mid}")
    assert MaterialFile.objects.filter(case=case).count() == 2


def test_a_refused_page_upload_says_why_in_chinese_and_saves_nothing(county, items, client):
    case = village_case(county, items)
    mid = id_card(items)
    client.force_login(county.a11.user)
    url = f"/cases/{case.number}/materials/{mid}/files/"

    def bad():
        return {f"material_files_{mid}": upload("证明.pdf", b"not a pdf", "application/pdf")}

    r = client.post(url, bad(), HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    html = r.content.decode()
    assert 'role="alert"' in html and "不是真正的 PDF" in html and f'id="mfiles-{mid}"' in html
    r = client.post(url, {}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "请拍照或选择" in r.content.decode()
    r = client.post(url, bad())  # without the script: the case page with the message
    assert r.status_code == 422 and "不是真正的 PDF" in r.content.decode()
    assert not MaterialFile.objects.exists() and stored_files() == []
    other = items.immediate.materials.get().pk
    assert client.post(f"/cases/{case.number}/materials/{other}/files/", bad()).status_code == 404


def test_review_from_the_case_page(county, items, client):
    case = village_case(county, items, files={id_card(items): [jpeg()]})
    do(case, "forward", county.a11)
    do(case, "receive", county.t1_staff)
    stored = MaterialFile.objects.get(case=case)
    client.force_login(county.t1_staff.user)
    url = file_url(case, stored, "review/")
    r = client.post(url, {"verdict": "returned"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "退回材料须写明理由" in r.content.decode()
    r = client.post(url, {"verdict": "maybe", "review_note": "背面模糊"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "请选择认可或退回" in r.content.decode()
    assert "背面模糊</textarea>" in r.content.decode()  # what was typed is not lost
    r = client.post(url, {"verdict": "returned", "review_note": "缺背面"}, HTTP_HX_REQUEST="true")
    assert (
        r.status_code == 200 and "缺背面" in r.content.decode() and "已退回" in r.content.decode()
    )
    stored.refresh_from_db()
    assert stored.review == "returned" and stored.reviewed_by == county.t1_staff.user
    # The agent sees the row but may not review (upload controls only).
    client.force_login(county.a11.user)
    assert client.post(url, {"verdict": "accepted"}).status_code == 403


def test_the_case_page_shows_upload_and_review_controls_only_to_who_may_act(county, items, client):
    case = at_township(county, items)
    do(case, "upload", county.t1_staff, material=id_card(items), files=[jpeg()])
    stored = MaterialFile.objects.get(case=case)
    upload_url = f"/cases/{case.number}/materials/{id_card(items)}/files/"
    review_url = file_url(case, stored, "review/")
    client.force_login(county.t1_staff.user)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert file_url(case, stored, "thumb/") in html and "共 1 页" in html
    assert upload_url in html and review_url in html and "data-capture" in html
    client.force_login(county.a11.user)  # the intake station: may add files, not judge them
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert upload_url in html and review_url not in html
    # Viewing the case page logs a page view, not a file view.
    assert not PersonalDataView.objects.filter(channel="file").exists()


def test_files_from_request_reads_each_materials_files_and_source():
    body = {
        "material_files_7": [upload("a.jpg", jpeg()), upload("b.jpg", jpeg())],
        "material_source_7": "camera",
        "material_files_9": upload("c.pdf", pdf(1), "application/pdf"),
        "material_files_x": upload("d.jpg", jpeg()),
        "other": "1",
    }
    request = RequestFactory().post("/", body)
    found = files_from_request(request)
    assert sorted(found) == [7, 9]
    assert len(found[7]) == 2 and found[7].source == "camera" and found[9].source == "scanner"


# --- API ---------------------------------------------------------------------------------------


def test_upload_and_review_through_the_api_with_base64(client, county, items, token_for):
    case = village_case(county, items)
    url = f"/api/v1/cases/{case.number}/actions/upload"
    page = "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()
    plain = base64.b64encode(jpeg()).decode()
    body = {"material": id_card(items), "files": [page, plain], "source": "camera"}
    agent = token_for("v0101-agent")
    r = client.post(url, body, content_type="application/json", **agent)
    assert r.status_code == 200, r.content.decode()
    stored = MaterialFile.objects.get(case=case)
    assert stored.pages == 2 and stored.source == "camera"
    bad = {"material": id_card(items), "files": ["data:application/pdf;base64,bm90IGEgcGRm"]}
    r = client.post(url, bad, content_type="application/json", **agent)
    assert r.status_code == 422 and r.json()["field"] == "files"
    assert r.json()["detail"].startswith("居民身份证：") and "格式不支持" in r.json()["detail"]
    assert MaterialFile.objects.count() == 1
    r = client.post(url, body, content_type="application/json", **token_for("v0102-agent"))
    assert r.status_code == 403
    case = do(case, "forward", county.a11)
    do(case, "receive", county.t1_staff)
    r = client.post(
        f"/api/v1/cases/{case.number}/actions/file_review",
        {"file": stored.pk, "verdict": "accepted"},
        content_type="application/json",
        **token_for("t01-staff"),
    )
    assert r.status_code == 200, r.content.decode()
    stored.refresh_from_db()
    assert stored.review == "accepted"
    event = CaseEvent.objects.filter(case=case, action="file_review").get()
    assert event.data["verdict"] == "accepted"


def test_register_through_the_service_with_window_channel_and_files(county, items):
    """A township hall taking the case in directly stores its files the same way."""
    from bianmin.cases.services import case_register

    case = case_register(
        actor=county.t1_staff.user,
        item_version=items.promised,
        channel="window",
        materials=all_provided(items.promised),
        files={id_card(items): [jpeg()]},
        **PERSON,
    )
    assert MaterialFile.objects.get(case=case).unit == county.tc1


# --- browser -------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scans_are_shrunk_on_the_device_kept_on_refusal_and_sent_as_one_pdf(
    county, items, page, login, tmp_path
):
    """On a 390 px phone: two scans and a fake PDF; the refusal keeps the pages, removing the
    fake one and sending again stores one PDF of both pages, each shrunk to 1600 px."""
    case = village_case(county, items)
    mid = id_card(items)
    (tmp_path / "big.jpg").write_bytes(jpeg((2400, 3200)))
    (tmp_path / "small.jpg").write_bytes(jpeg((600, 800), "grey"))
    (tmp_path / "fake.pdf").write_bytes(b"not a pdf at all")
    page.set_viewport_size({"width": 390, "height": 844})
    login("v0101-agent")
    page.goto(f"/cases/{case.number}/")
    row = page.locator(f"#mfiles-{mid}")
    send = row.locator("[data-capture-send]")
    assert row.locator("[data-capture-open]").is_visible() and not send.is_visible()
    files = [str(tmp_path / n) for n in ("big.jpg", "small.jpg", "fake.pdf")]
    row.locator("[data-capture-file]").set_input_files(files)
    page.wait_for_function(
        "el => el.querySelectorAll('.capture-page').length === 3", arg=row.element_handle()
    )
    with page.expect_response(lambda r: r.url.endswith("/files/")) as answer:
        send.click()
    assert answer.value.status == 422
    row = page.locator(f"#mfiles-{mid}")
    assert "fake.pdf" in row.locator("[role=alert]").inner_text()
    assert row.locator(".capture-page").count() == 3  # nothing photographed or chosen is lost
    assert not MaterialFile.objects.exists()
    row.locator(".capture-remove").nth(2).click()
    with page.expect_response(lambda r: r.url.endswith("/files/")) as answer:
        row.locator("[data-capture-send]").click()
    assert answer.value.status == 200
    row = page.locator(f"#mfiles-{mid}")
    row.locator(".mfile").wait_for()
    assert "共 2 页" in row.inner_text() and row.locator(".capture-page").count() == 0
    stored = MaterialFile.objects.get(case=case)
    content = stored.file.read()
    assert stored.pages == 2 and b"/Width 1200" in content and b"/Height 1600" in content
