"""What a person does on the pages, as small steps for the journey tests (test_journeys.py).

Everything here reads or drives the pages: log in through the form, read the queue counts a
person sees, open a case from a queue or the search box, pick an item with the intake search,
photograph pages with the (fake) camera, fill and submit the action forms of the case page and
sign on the canvas. Nothing here calls a service or writes the database.
"""

import datetime as dt
import re

from playwright.sync_api import Locator, Page, expect

from bianmin.conftest import PASSWORD

ID_OK = "11010519491231002X"
ID_BAD_CHECK = "110105194912310023"  # the same number with a wrong check character

# The item catalog of the journeys: created through the catalog services (the catalog is set up
# by administrators, not part of any journey).
DIBAO = "最低生活保障（低保）申请"  # initials zdshbzdbsq: `dbsq` finds it, so does `低保`
DIBAO_MATERIALS = ("居民身份证", "户口簿", "家庭收入情况声明", "家庭财产状况声明")
RELIEF = "临时救助申请"
RELIEF_MATERIALS = ("居民身份证", "临时救助申请书", "困难情况证明")
HOMESTEAD = "农村宅基地建房审批"


def make_items(county) -> dict:
    """The published items the journeys use: a county item civil affairs decides (with steps,
    four materials, a certificate), a township item with a deferrable material, a joint county
    item land resources decides with civil affairs and social security."""
    from bianmin.catalog.models import CaseClass, ItemType, Tier
    from bianmin.tests_factories import ItemFactory

    c = county
    return {
        "dibao": ItemFactory(
            county=c,
            local_code="MZ-DB-01",
            name=DIBAO,
            accept_tier=Tier.COUNTY,
            promised_limit=10,
            result_name="低保证",
            result_is_certificate=True,
            materials=[
                {"name": "居民身份证", "originals": 1, "copies": 1},
                {"name": "户口簿", "originals": 1, "copies": 1, "note": "全户页"},
                {"name": "家庭收入情况声明", "originals": 1, "copies": 0},
                {"name": "家庭财产状况声明", "originals": 1, "copies": 0},
            ],
            steps=[
                {"name": "受理", "tier": "county", "limit_days": 1},
                {"name": "审核", "tier": "county", "limit_days": 5},
                {"name": "决定", "tier": "county", "limit_days": 4},
            ],
        ),
        "relief": ItemFactory(
            county=c,
            local_code="MZ-LS-01",
            name=RELIEF,
            item_type=ItemType.BENEFIT,
            township=True,
            promised_limit=8,
            statutory_limit=20,
            materials=[
                {"name": "居民身份证", "originals": 0, "copies": 1},
                {"name": "临时救助申请书", "originals": 1, "copies": 0},
                {"name": "困难情况证明", "originals": 1, "copies": 0, "deferrable": True},
            ],
            steps=[],
        ),
        "homestead": ItemFactory(
            county=c,
            local_code="ZR-ZJD-01",
            name=HOMESTEAD,
            item_type=ItemType.LICENSING,
            legal_basis="《土地管理法》第六十二条",
            implementing_unit=c.dept_land,
            case_class=CaseClass.JOINT,
            accept_tier=Tier.COUNTY,
            promised_limit=15,
            statutory_limit=45,
            joint_units=[c.dept_civil, c.dept_social],
            materials=[
                {"name": "居民身份证", "originals": 0, "copies": 1},
                {"name": "宅基地申请表", "originals": 1, "copies": 0},
            ],
            steps=[],
        ),
    }


# --- who is looking -------------------------------------------------------------------------


def log_in(page: Page, username: str) -> Page:
    """Log out whoever is signed in on this device (the header's 退出), then log in through
    the login form."""
    logout = page.locator("header form[action$='/logout/'] button")
    if page.url.startswith("http") and logout.count():
        with page.expect_navigation():
            logout.click()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    return page


def _counts(page: Page, root: str) -> dict[str, int]:
    links = page.locator(f"{root} .queue-counts a")
    out = {}
    for i in range(links.count()):
        link = links.nth(i)
        code = re.search(r"queue-(\w+)", link.get_attribute("class") or "").group(1)
        out[code] = int(link.locator(".count").inner_text())
    return out


def queue_counts(page: Page) -> dict[str, int]:
    """The counts at the top of the work queues page (/cases/queues/)."""
    page.goto("/cases/queues/")
    return _counts(page, "main")


def home_counts(page: Page) -> dict[str, int]:
    """The counts of 我的工作队列 on the staff home (/staff/)."""
    page.goto("/staff/")
    return _counts(page, "#work-queues")


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def open_from_queue(page: Page, queue: str, number: str) -> None:
    """Open the work queues, find the case in `queue`'s list and click its number."""
    page.goto("/cases/queues/")
    link = page.locator(f"#q-{queue} td.num a", has_text=number)
    expect(link).to_have_count(1)
    with page.expect_navigation():
        link.click()
    expect(page.locator("#case-number")).to_have_text(number)


def open_by_search(page: Page, number: str) -> None:
    """Type the case number into 办件查询 and open the one hit."""
    page.goto("/cases/")
    page.fill("#f-q", number)
    with page.expect_navigation():
        page.locator("form[role=search] button.primary").click()
    link = page.locator("table.cases td.num a", has_text=number)
    expect(link).to_have_count(1)
    with page.expect_navigation():
        link.click()
    expect(page.locator("#case-number")).to_have_text(number)


# --- the case page ----------------------------------------------------------------------------


def state(page: Page) -> str:
    return page.locator("#case-state").inner_text().strip()


def current_unit(page: Page) -> str:
    return page.locator("#current-unit").inner_text().strip()


def next_step(page: Page) -> str:
    """The heading of the primary action: 「下一步：…」 without the prefix ('' when none)."""
    heading = page.locator("#actions > h2")
    if not heading.count():
        return ""
    text = heading.inner_text().strip()
    assert text.startswith("下一步："), text
    return text.removeprefix("下一步：")


def more_actions(page: Page) -> list[str]:
    """The labels under 更多操作, in order."""
    summaries = page.locator("#actions details.more details.more-action > summary")
    return [s.strip() for s in summaries.all_text_contents()]


def action_form(page: Page, code: str, *, more: bool = False) -> Locator:
    """The form of `code`: the primary one under 「下一步」, or (more=True) one folded under
    更多操作, unfolded the way a person does (click 更多操作, then the action's summary)."""
    if not more:
        form = page.locator(f"#actions > form.action-{code}")
        expect(form, f"「下一步」 is not {code}: {next_step(page)}").to_have_count(1)
        return form
    outer = page.locator("#actions details.more")
    expect(outer).to_have_count(1)
    if outer.get_attribute("open") is None:
        outer.locator(":scope > summary").click()
    form = outer.locator(f"details.more-action form.action-{code}")
    expect(form, f"{code} not under 更多操作: {more_actions(page)}").to_have_count(1)
    inner = outer.locator("details.more-action", has=page.locator(f"form.action-{code}"))
    if inner.get_attribute("open") is None:
        inner.locator(":scope > summary").click()
    expect(form).to_be_visible()
    return form


def submit(page: Page, form: Locator) -> None:
    """Press the form's button, wait for the case page to come back, and check it took."""
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("#case-number").count(), f"{page.url}: {page.locator('body').inner_text()}"
    error = page.locator("#action-error")
    if error.count():
        details = " | ".join(page.locator("#actions .errorlist").all_inner_texts())
        raise AssertionError(f"{error.inner_text()} {details}")


def act(page: Page, code: str, *, more: bool = False, **fields) -> None:
    """Do action `code` on the open case page: fill `fields` (text inputs and textareas by name,
    selects by option label) and press its button."""
    form = action_form(page, code, more=more)
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        tag = control.evaluate("el => el.tagName")
        if tag == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    submit(page, form)


def tick(form: Locator, *names: str) -> None:
    """Tick the checkboxes of the materials named (their labels)."""
    for name in names:
        form.locator("label.check", has_text=name).locator("input[type=checkbox]").check()


def material_row(page: Page, name: str) -> Locator:
    row = page.locator("#materials li.material-row", has=page.locator("strong", has_text=name))
    expect(row).to_have_count(1)
    return row


def expect_image_shown(image: Locator) -> None:
    """The image is on screen and its picture arrived. Thumbnails load lazily, so the check waits
    for the load after scrolling to it; a broken picture ends loaded with no width and times out."""
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    image.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10_000
    )


def timeline_actions(page: Page) -> list[str]:
    """The timeline's events as action codes, in order."""
    classes = page.locator("#timeline li.event").evaluate_all("els => els.map(e => e.className)")
    return [re.search(r"action-(\w+)", c).group(1) for c in classes]


def draw_signature(page: Page, form: Locator) -> None:
    """Sign on the canvas with the mouse: a few strokes across the pad."""
    canvas = form.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100, box
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in range(2):
        page.mouse.move(x0 + w * 0.1, y0 + h * (0.4 + 0.2 * stroke))
        page.mouse.down()
        for i in range(1, 13):
            page.mouse.move(x0 + w * (0.1 + 0.065 * i), y0 + h * (0.3 + 0.3 * (i % 3) / 2), steps=3)
        page.mouse.up()


def deliver(page: Page, signer: str, feedback: str) -> None:
    form = action_form(page, "deliver")
    draw_signature(page, form)
    form.locator("[name=signed_by_name]").fill(signer)
    form.locator("[name=feedback]").fill(feedback)
    submit(page, form)


# --- intake -----------------------------------------------------------------------------------


def search_item(page: Page, typed: str, expected: str) -> Locator:
    """Type into the item search box key by key and wait for `expected` among the hits."""
    box = page.locator("#item-q")
    box.fill("")
    box.press_sequentially(typed, delay=40)
    hit = page.locator("#item-results a.hit", has_text=expected)
    expect(hit).to_have_count(1)
    return hit


def pick_item(page: Page, typed: str, expected: str) -> None:
    search_item(page, typed, expected).click()
    expect(page.locator("#item-chosen .chosen-name")).to_have_text(expected)
    expect(page.locator("#materials li.mrow").first).to_be_visible()


def checklist_row(page: Page, name: str) -> Locator:
    row = page.locator("#materials li.mrow", has=page.locator(".mname", has_text=name))
    expect(row).to_have_count(1)
    return row


def choose(page: Page, name: str, status: str) -> Locator:
    """Choose 已提交 (provided), 缺少 (missing), 容缺后补 (deferred) or 告知承诺 (pledged)."""
    row = checklist_row(page, name)
    row.locator(f"label.opt-{status} input[type=radio]").check()
    return row


def photograph(page: Page, row: Locator, pages: int) -> None:
    """拍照: open the camera in the row, shoot `pages` pages once the picture runs, 完成."""
    widget = row.locator("[data-capture]")
    before = widget.locator(".capture-page").count()
    widget.locator("[data-capture-open]").click()
    expect(widget.locator("[data-capture-panel]")).to_be_visible()
    shoot = widget.locator("[data-capture-shoot]")
    for n in range(1, pages + 1):
        expect(shoot).to_be_enabled()
        shoot.click()
        expect(widget.locator(".capture-page")).to_have_count(before + n)
    widget.locator("[data-capture-done]").click()
    expect(widget.locator("[data-capture-panel]")).to_be_hidden()


def fill_applicant(page: Page, name: str, id_number: str, phone: str) -> None:
    page.fill("#id_applicant_name", name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", phone)


def submit_intake(page: Page) -> str:
    """Press 登记办件 and wait for the new case's page; its number."""
    with page.expect_navigation(url=re.compile(r"/cases/[^/]+/$")):
        page.locator("#intake-submit").click()
    number = page.locator("#case-number").inner_text().strip()
    assert number, page.url
    return number


# --- dates as printed -------------------------------------------------------------------------


def printed_date(text: str) -> dt.date:
    """A date as the documents print it (2026年12月17日) or the pages show it (2026-12-17)."""
    m = re.search(r"(\d{4})\s*[-年]\s*(\d{1,2})\s*[-月]\s*(\d{1,2})", text)
    assert m, f"no date in {text!r}"
    return dt.date(*(int(g) for g in m.groups()))
