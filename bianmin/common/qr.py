"""QR codes as inline SVG: no images on disk, no network, no PIL."""

import segno


def qr_svg(data: str, *, scale: int = 4, border: int = 2, title: str | None = None) -> str:
    """Return `data` as a standalone inline <svg> element (error correction M).

    Medium correction survives a creased or smudged printout of a receipt, which is where these
    codes end up.
    """
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(
        scale=scale, border=border, title=title, svgclass="qr", lineclass=None, omitsize=False
    )
