"""Printable documents: one Django template, served as HTML for the screen or PDF for the file.

PDFs are rendered by WeasyPrint from the same HTML. Chinese text needs a CJK font installed on the
machine (Debian's fonts-noto-cjk, installed by `make system-deps`); the document stylesheet names
"Noto Sans CJK SC" first so WeasyPrint embeds it instead of falling back to boxes.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PDF_MEDIA = "application/pdf"
# settings.py's default for BIANMIN_PUBLIC_URL: the development server's address.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_url(path: str) -> str:
    """`path` on the public address printed on paper (QR codes, the status link of a notice).

    The address is the setting BIANMIN_PUBLIC_URL (the public host, e.g.
    https://bianmin.hantai.gov.cn; `make demo` sets it to the address it serves). A printout
    leaves the building, so the address cannot come from the request that printed it (an
    intranet host, or a Host header). Unset or empty, it falls back to settings.py's default,
    the development address.
    """
    base = (getattr(settings, "BIANMIN_PUBLIC_URL", "") or DEFAULT_PUBLIC_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def _local_only_fetcher():
    """WeasyPrint may load inline data (QR codes, signatures) but never reach out to a URL.

    Documents embed their styles and images, so any other fetch is a mistake or an injected URL;
    refusing it keeps a printout from probing the intranet or waiting on a dead host.
    """
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=2)


def render_html(template_name: str, context: dict, request: HttpRequest | None = None) -> str:
    return render_to_string(template_name, {**context, "for_pdf": False}, request=request)


def render_pdf(template_name: str, context: dict, request: HttpRequest | None = None) -> bytes:
    """Render `template_name` with `context` to PDF bytes (A4, CJK fonts embedded)."""
    # Imported here: WeasyPrint loads Pango at import, which pages that never print need not pay.
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "for_pdf": True}, request=request)
    return HTML(string=html, url_fetcher=_local_only_fetcher()).write_pdf()


def pdf_response(
    template_name: str,
    context: dict,
    *,
    filename: str,
    request: HttpRequest | None = None,
    inline: bool = True,
) -> HttpResponse:
    response = HttpResponse(render_pdf(template_name, context, request), content_type=PDF_MEDIA)
    disposition = "inline" if inline else "attachment"
    # RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name for the Chinese title.
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"document.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format", "").lower() == "pdf"


def document_response(
    request: HttpRequest, template_name: str, context: dict, *, filename: str
) -> HttpResponse:
    """HTML by default, PDF when the query says `?format=pdf`."""
    if wants_pdf(request):
        return pdf_response(template_name, context, filename=filename, request=request)
    return HttpResponse(render_html(template_name, context, request))
