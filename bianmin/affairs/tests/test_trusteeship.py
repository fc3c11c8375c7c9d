"""Collective assets trusteeship: append-only journal with reversals, contracts, the public board."""

import datetime as dt
from decimal import Decimal

import pytest

from bianmin.affairs import selectors, services
from bianmin.affairs.models import CashEntry
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed

D = dt.date(2025, 3, 1)


def test_reversal_keeps_original_and_balance_is_right(county):
    c, clerk = county, county.t1_staff.user
    services.cash_entry_record(
        actor=clerk, village=c.v11, date=D, direction="income", amount="5000", summary="土地租金"
    )
    wrong = services.cash_entry_record(
        actor=clerk,
        village=c.v11,
        date=D,
        direction="expense",
        amount="1200.50",
        summary="修路材料（金额有误）",
    )
    assert selectors.balance_of(village=c.v11) == Decimal("3799.50")
    rev = services.cash_entry_reverse(actor=clerk, entry=wrong, reason="金额录错，应为1020.50")
    services.cash_entry_record(
        actor=clerk,
        village=c.v11,
        date=D,
        direction="expense",
        amount="1020.50",
        summary="修路材料",
    )
    lines = selectors.journal(village=c.v11)
    assert [line.entry.seq for line in lines] == [1, 2, 3, 4]
    wrong.refresh_from_db()
    assert wrong.amount == Decimal("1200.50") and wrong.direction == "expense"  # kept as it was
    assert rev.reverses == wrong and rev.direction == "income" and rev.amount == wrong.amount
    assert rev.reason == "金额录错，应为1020.50"
    assert [line.balance for line in lines] == [
        Decimal("5000"),
        Decimal("3799.50"),
        Decimal("5000.00"),
        Decimal("3979.50"),
    ]
    assert lines[1].reversed_by == 3
    with pytest.raises(Conflict):
        services.cash_entry_reverse(actor=clerk, entry=wrong, reason="再来一次")
    with pytest.raises(Conflict):
        services.cash_entry_reverse(actor=clerk, entry=rev, reason="冲销的冲销")
    with pytest.raises(ValidationFailed):
        services.cash_entry_reverse(actor=clerk, entry=lines[0].entry, reason="  ")
    with pytest.raises(ValueError):  # never edited, not even by code that bypasses the services
        wrong.amount = Decimal("1")
        wrong.save()
    assert CashEntry.objects.get(pk=wrong.pk).amount == Decimal("1200.50")


def test_only_the_township_keeps_the_accounts(county):
    c = county
    for outsider in (c.a11, c.t2_staff, c.civil):
        with pytest.raises(PermissionDenied):
            services.cash_entry_record(
                actor=outsider.user,
                village=c.v11,
                date=D,
                direction="income",
                amount=1,
                summary="x",
            )
    with pytest.raises(ValidationFailed):
        services.cash_entry_record(
            actor=c.t1_staff.user,
            village=c.v11,
            date=D,
            direction="income",
            amount="-3",
            summary="x",
        )


def test_contract_payments_and_public_board(client, county):
    c, clerk = county, county.t1_staff.user
    services.asset_register(
        actor=clerk,
        village=c.v11,
        category="resource",
        name="集体林地",
        quantity="120",
        measure="亩",
        value="0",
        location="后山",
    )
    contract = services.contract_create(
        actor=clerk,
        village=c.v11,
        number="HW-2024-01",
        title="鱼塘承包",
        counterparty="李某",
        subject="村东鱼塘",
        area="8.5",
        start=dt.date(2024, 1, 1),
        end=dt.date(2027, 1, 1),
        annual_amount="3000",
    )
    dues = list(contract.payments.values_list("due_on", flat=True))
    assert dues == [dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    first = contract.payments.first()
    services.contract_payment_receive(actor=clerk, payment=first)
    with pytest.raises(Conflict):
        services.contract_payment_receive(actor=clerk, payment=first)
    assert selectors.balance_of(village=c.v11) == Decimal("3000")

    r = client.get(f"/affairs/board/{c.v11.code}/")
    body = r.content.decode()
    assert r.status_code == 200 and "集体林地" in body and "鱼塘承包" in body
    assert "逾期未收" in body and "3000" in body
    assert '<form method="post" action="/affairs/' not in body  # read-only for villagers
    assert client.post(f"/affairs/board/{c.v11.code}/").status_code == 405

    client.force_login(c.t1_staff.user)
    r = client.post(
        f"/affairs/{c.v11.code}/custody/entry/",
        {"date": "2025-03-02", "direction": "expense", "amount": "100", "summary": "办公用品"},
    )
    assert r.status_code == 302 and selectors.balance_of(village=c.v11) == Decimal("2900")
    entry = CashEntry.objects.get(summary="办公用品")
    client.post(
        f"/affairs/{c.v11.code}/custody/reverse/", {"entry": entry.pk, "reason": "重复登记"}
    )
    assert selectors.balance_of(village=c.v11) == Decimal("3000")
    client.force_login(c.a11.user)
    assert client.get(f"/affairs/{c.v11.code}/custody/").status_code == 403
