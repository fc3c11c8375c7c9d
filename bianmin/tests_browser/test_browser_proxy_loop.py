"""The proxy loop through the pages, in Chromium: village -> township -> county -> back -> delivered."""

import pytest

from bianmin.cases.models import Case, State
from bianmin.cases.tests.test_pages import ID_OK, proxy_item


def take(page, action: str):
    """Submit the action form `action` on the case page and wait for the next page."""
    form = page.locator(f"form.action-{action}")
    assert form.count() == 1, f"no form for {action}: {page.locator('#actions').inner_text()}"
    with page.expect_navigation():
        form.locator("button.primary").click()
    error = page.locator("#action-error")
    assert error.count() == 0, (
        error.inner_text()
        + " | "
        + " ".join(page.locator("form.action-" + action + " .errorlist").all_inner_texts())
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_proxy_loop_through_the_pages(county, page, login, screenshot):
    item = proxy_item(county)

    # The village agent registers the entrusted request and forwards it to the township.
    login("v0101-agent")
    page.goto(f"/cases/new/?item={item.pk}")
    page.select_option("#id_item", str(item.pk))
    page.fill("#id_applicant_name", "张三")
    page.fill("#id_id_number", ID_OK)
    page.fill("#id_phone", "13912345678")
    page.check("#id_entrusted")
    with page.expect_navigation():
        page.click("#intake-form button.primary")
    number = page.locator("#case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.agent == county.a11
    take(page, "forward")
    assert page.locator("#current-unit").inner_text() == "武乡镇便民服务中心"

    # The township centre receives it and forwards it to the deciding county department.
    login("t01-staff")
    page.goto(f"/cases/{number}/")
    take(page, "receive")
    take(page, "forward")
    assert page.locator("#current-unit").inner_text() == "区民政局"

    # The department receives, accepts, reviews, approves, concludes and hands the result back.
    login("d-mz")
    page.goto(f"/cases/{number}/")
    take(page, "receive")
    take(page, "accept")
    take(page, "review")
    page.select_option("form.action-decide select[name=approved]", "1")
    take(page, "decide")
    take(page, "conclude")
    take(page, "hand_back")
    assert page.locator("#case-state").inner_text() == "回交中"

    # The agent receives the result and delivers it against a drawn signature.
    login("v0101-agent")
    page.goto("/staff/")
    assert page.locator("#work-queues .queue-to_receive .count").inner_text() == "1"
    page.goto(f"/cases/{number}/")
    take(page, "receive")
    canvas = page.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 30 + i * 25, box["y"] + 100 - (i % 3) * 25, steps=3)
    page.mouse.up()
    page.fill("form.action-deliver input[name=signed_by_name]", "张三")
    page.fill("form.action-deliver textarea[name=feedback]", "代办很方便")
    take(page, "deliver")

    assert page.locator("#case-state").inner_text() == "已送达"
    timeline = page.locator("#timeline").inner_text()
    for label in ("委托代办", "转报", "接收", "受理", "审核", "决定", "办结", "回交", "送达"):
        assert label in timeline
    screenshot(page, "delivered")
    case.refresh_from_db()
    assert case.state == State.CLOSED
    with case.delivery.signature.open("rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    receipt = page.request.get(f"/cases/{number}/documents/delivery/?format=pdf")
    assert receipt.ok and receipt.body().startswith(b"%PDF-")
