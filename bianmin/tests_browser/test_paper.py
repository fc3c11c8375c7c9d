"""Paper through the pages: a township clerk records the cash journal, downloads it as Excel
(the link shows it is busy until the download starts) and prints it on A4."""

import re

import pytest
from openpyxl import load_workbook


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cash_journal_download_and_print(county, page, login, screenshot, tmp_path):
    code = county.v11.code
    login("t01-staff")
    page.goto(f"/affairs/{code}/custody/")
    for date, direction, amount, summary, voucher in (
        ("2026-03-02", "income", "5000", "土地租金", "=1+1"),
        ("2026-03-05", "expense", "120.50", "修路材料", "记-02"),
    ):
        page.fill("#e-date", date)
        page.select_option("#e-dir", direction)
        page.fill("#e-amount", amount)
        page.fill("#e-summary", summary)
        page.fill("#e-v", voucher)
        page.click("form[action$='/custody/entry/'] button[type=submit]")
        page.wait_for_load_state()
    rows = [
        [c.strip() for c in r.split("\t")[:6]]
        for r in page.locator("#journal tbody tr").all_inner_texts()
    ]
    assert len(rows) == 2

    # Hold the file back: the link says it is working and cannot be clicked twice.
    held = []
    page.route("**/journal.xlsx", lambda route: held.append(route))
    link = page.locator("#journal-xlsx")
    link.click()
    page.wait_for_function("document.querySelector('#journal-xlsx').ariaBusy === 'true'")
    status = page.locator(".busy-status")
    assert "正在处理" in status.inner_text()
    # The link turns busy on click, before Playwright hands the request to the route: wait for it.
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(25)
    with page.expect_download() as info:
        held[0].continue_()
    download = info.value
    assert download.suggested_filename == f"journal-{code}.xlsx"
    page.wait_for_function("document.querySelector('#journal-xlsx').ariaBusy === 'false'")
    assert status.inner_text() == ""
    path = tmp_path / "journal.xlsx"
    download.save_as(path)
    ws = load_workbook(path).active
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    assert [[str(d[0]), f"{d[1]:%Y-%m-%d}", d[3]] for d in data] == [r[:3] for r in rows]
    assert data[0][2] == "=1+1" and ws["C6"].data_type == "s"

    page.click("#journal-print")
    page.wait_for_load_state()
    assert page.url.endswith(f"/affairs/{code}/custody/journal/print/")
    assert page.locator("h1").inner_text().endswith("现金日记账")
    assert "打印人：武乡窗口" in page.locator(".meta").inner_text()
    assert page.locator("table.paper-table tbody tr").count() == len(rows)
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert page.locator(".signatures").is_visible()
    screenshot(page, "journal-print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None
    size = sorted(round(float(v)) for v in box.groups())
    assert size == [595, 842]  # A4 in points


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_catalog_import_shows_that_it_is_working(county, page, login, tmp_path):
    from bianmin.catalog.importexport import catalog_export

    workbook = tmp_path / "catalog.xlsx"
    workbook.write_bytes(catalog_export())
    login("admin")
    page.goto("/admin/catalog/itemversion/import/")
    page.set_input_files("#id_file", str(workbook))
    # While the upload runs the form says it is working and its button cannot be pressed again;
    # what the page showed is noted in sessionStorage, which outlives the navigation.
    page.evaluate(
        """() => new MutationObserver(() => {
            const button = document.querySelector("input[type=submit]");
            const box = document.querySelector(".busy-status");
            if (button.disabled && box) sessionStorage.setItem("busy", box.textContent);
        }).observe(document.body, {subtree: true, childList: true, attributes: true})"""
    )
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/catalog/itemversion/")
    assert "导入完成" in page.locator(".messagelist").inner_text()
    assert "正在校验并导入" in page.evaluate("sessionStorage.getItem('busy')")
