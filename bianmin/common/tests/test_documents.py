import re
import shutil
import subprocess
import zlib

import pytest
from django.test import RequestFactory

from bianmin.common.documents import document_response, render_html, render_pdf
from bianmin.common.qr import qr_svg

SAMPLE = (
    '{% extends "common/document_base.html" %}'
    "{% block body %}<h1>受理通知书</h1><p>申请人：{{ name }}</p>"
    '<img src="http://10.255.255.1/probe.png">{{ qr|safe }}{% endblock %}'
)


@pytest.fixture
def sample_template(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"sample.html": SAMPLE}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    return "sample.html"


def pdf_streams(pdf: bytes) -> bytes:
    """All compressed streams of a PDF, inflated, so font names can be looked for."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def test_pdf_renders_chinese_with_embedded_cjk_font(sample_template, tmp_path):
    pdf = render_pdf(sample_template, {"name": "张三丰", "qr": qr_svg("https://x.test/status/1")})
    assert pdf.startswith(b"%PDF-")
    assert b"Noto-Sans-CJK-SC" in pdf_streams(pdf), "CJK font not embedded: text would be boxes"
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
            [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "受理通知书" in text
        assert "张三丰" in text


def test_html_and_pdf_chosen_by_format(sample_template):
    rf = RequestFactory()
    html = document_response(
        rf.get("/d/"), sample_template, {"name": "李四"}, filename="受理通知书.pdf"
    )
    assert html["Content-Type"].startswith("text/html")
    assert "申请人：李四" in html.content.decode()
    pdf = document_response(
        rf.get("/d/", {"format": "pdf"}),
        sample_template,
        {"name": "李四"},
        filename="受理通知书.pdf",
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''%E5%8F%97" in pdf["Content-Disposition"]


def test_html_version_has_print_toolbar_pdf_does_not(sample_template):
    assert 'class="toolbar"' in render_html(sample_template, {"name": "王五"})


def test_qr_svg_size_matches_symbol():
    import segno

    data = "http://127.0.0.1:8000/status/610702-20260105-7KQ3M9"
    svg = qr_svg(data, scale=4, border=2)
    symbol = segno.make(data, error="m", micro=False)
    side = (symbol.symbol_size(scale=1, border=0)[0] + 4) * 4
    assert svg.startswith("<svg")
    assert f'width="{side}"' in svg and f'height="{side}"' in svg
    # A longer payload needs a larger symbol: the SVG really encodes its data.
    assert len(qr_svg(data * 4)) > len(svg)
    assert symbol.error == "M"
