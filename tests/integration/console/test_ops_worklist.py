"""The exception queue as a work list, through the real app on SQLite (and PostgreSQL when
set): what breaks a promise first is on top, in words; many cases are acknowledged or assigned
at once or not at all; each team keeps its own filters; a case has a page of its own."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.casework.cases import find_cases, work_case
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.bootstrap import System
from ordertrail.domain.casework.cases import Case, CaseAction
from ordertrail.sources.canonical import parse_order
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import canonical_order, sign_in, staff_member
from tests.stories import a_busy_queue, record

LATE = "ORD-900"  # promised for a day that has already ended


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    a_busy_queue(system, clock, orders=3)
    order = canonical_order(LATE, ("JD00000900", "dhl", {"MUG": 1}))
    order["promised_by"] = "2026-11-24"
    system.handle(RegisterOrders([parse_order(order)]))
    record(
        system,
        clock,
        carrier="dhl",
        shipment="JD00000900",
        milestone="delivery_attempted",
        reason="recipient_unavailable",
    )
    with TestClient(create_app(system)) as test_client:
        yield test_client


def _cases(system: System) -> list[Case]:
    return find_cases(system.uows, CaseQuery(status=None))


def _id_of(system: System, order_id: str) -> int:
    [case] = [c for c in _cases(system) if c.order_id == order_id]
    assert case.id is not None
    return case.id


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="case-\w+" id="case-(\d+)"', page)


def test_what_breaks_a_promise_first_is_on_top_in_words(client: TestClient, system: System) -> None:
    sign_in(client, system, "ops")
    page = client.get("/ops/exceptions").text
    rows = _rows(page)
    late = str(_id_of(system, LATE))
    assert rows[0] == late, rows  # opened last, but its promised day ended first
    assert rows[1:] == sorted(rows[1:], key=int)  # the rest by their own deadline
    table = page[page.index('<table class="cases">') :]
    first = table[: table.index("</tr>", table.index(f'id="case-{late}"'))]
    assert "the promised day ends" in first and "overdue" in first
    assert "delivery attempt failed" in table and "Customer support" in table
    shown = re.sub(r'(value|name|id|class|href|action|for|form|data-[a-z]+)="[^"]*"', "", table)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), "a code is shown, not words"
    assert page.count('<details class="menu"') == len(rows)  # one action menu a row


def test_ticked_cases_are_acknowledged_together_saying_who_and_why(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    first, second, third = (_id_of(system, f"ORD-00{n}") for n in (1, 2, 3))
    done = client.post(
        "/ops/exceptions/bulk",
        data={"csrf": csrf, "action": "acknowledge", "case": [first, second], "why": "DHL depot"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "done=bulk_acknowledge" in done.headers["location"]
    assert "Cases acknowledged" in client.get(done.headers["location"]).text
    by_id = {c.id: c for c in _cases(system)}
    for case_id in (first, second):
        case = by_id[case_id]
        assert case.acknowledged_by == "ops:staff:ops@shop.example"
        assert case.history[-1].by == "ops:staff:ops@shop.example"
        assert "DHL depot" in case.history[-1].what
    assert by_id[third].acknowledged_by is None


def test_ticked_cases_go_only_to_someone_who_takes_cases(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    staff_member(system, "support", "sam@shop.example")
    staff_member(system, "warehouse", "wes@shop.example")
    ids = [_id_of(system, "ORD-001"), _id_of(system, "ORD-002")]
    form = {"csrf": csrf, "action": "assign", "case": ids, "why": "Sam knows the depot"}
    refused = client.post("/ops/exceptions/bulk", data=form | {"to": "wes@shop.example"})
    assert refused.status_code == 422 and "assign to:" in refused.text
    assert all(c.assigned_to is None for c in _cases(system))
    assert client.post("/ops/exceptions/bulk", data=form | {"to": "sam@shop.example"}).is_success
    assigned = [c for c in _cases(system) if c.assigned_to == "sam@shop.example"]
    assert sorted(c.id for c in assigned) == sorted(ids)
    assert "Sam knows the depot" in assigned[0].history[-1].what


def test_a_bulk_action_with_anything_wrong_changes_nothing(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    first = _id_of(system, "ORD-001")
    resolved = _id_of(system, "ORD-002")
    work_case(system.uows, resolved, CaseAction.RESOLVE, "ops", "rebooked", system.clock.now())
    good = {"csrf": csrf, "action": "acknowledge", "case": [first], "why": "outage"}
    answers = {
        "unknown case": (good | {"case": [first, 987654]}, 404, "no case #987654"),
        "no csrf": ({k: v for k, v in good.items() if k != "csrf"}, 403, "reload the page"),
        "stale csrf": (good | {"csrf": "forged"}, 403, "reload the page"),
        "resolved case": (good | {"case": [first, resolved]}, 409, "is resolved"),
        "no why": (good | {"why": "  "}, 422, "why:"),
        "none ticked": ({k: v for k, v in good.items() if k != "case"}, 422, "at least one"),
        "not a bulk action": (good | {"action": "resolve"}, 422, "only acknowledge or assign"),
        "not a number": (good | {"case": [first, "1 OR 1=1"]}, 422, "case"),
        "out of range": (good | {"case": [0]}, 422, "out of range"),
        "no such action": (good | {"action": "delete"}, 422, "action"),
    }
    for name, (form, status, says) in answers.items():
        answer = client.post("/ops/exceptions/bulk", data=form)
        assert answer.status_code == status, (name, answer.status_code)
        assert says in answer.text, (name, answer.text[:300])
    assert all(c.acknowledged_by is None for c in _cases(system))


def test_a_warehouse_member_cannot_work_cases_in_bulk(client: TestClient, system: System) -> None:
    csrf = sign_in(client, system, "warehouse")
    form = {"csrf": csrf, "action": "acknowledge", "case": [_id_of(system, "ORD-001")]}
    answer = client.post("/ops/exceptions/bulk", data=form | {"why": "mine"})
    assert answer.status_code == 403
    assert all(c.acknowledged_by is None for c in _cases(system))


def test_a_team_keeps_its_filters_and_no_one_else_sees_them(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    wanted = {"kind": "failed_attempt", "age": "4h", "overdue": "true", "status": "open"}
    saved = client.post(
        "/ops/exceptions/filters",
        data={"csrf": csrf, "name": "  Failed   attempts ", "for_team": "operations", **wanted},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "done=filter_saved" in saved.headers["location"]
    page = client.get("/ops/exceptions").text
    link = re.search(r'<a href="/ops/exceptions/filters/(\d+)">Failed attempts</a>', page)
    assert link, "the saved filter is listed by its name, spaces tidied"
    filter_id = link.group(1)
    opened = client.get(f"/ops/exceptions/filters/{filter_id}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == (
        "/ops/exceptions?status=open&kind=failed_attempt&age=4h&overdue=true"
    )
    again = {"csrf": csrf, "name": "Failed attempts", "for_team": "operations", "status": "open"}
    assert client.post("/ops/exceptions/filters", data=again).is_success  # replaced, not twice
    page = client.get("/ops/exceptions").text
    assert page.count(">Failed attempts</a>") == 1

    for name in ("", "   ", "x" * 61):
        refused = client.post("/ops/exceptions/filters", data=again | {"name": name})
        assert refused.status_code == 422 and "name:" in refused.text, name
    no_csrf = {k: v for k, v in again.items() if k != "csrf"}
    assert client.post("/ops/exceptions/filters", data=no_csrf).status_code == 403

    with TestClient(create_app(system)) as support:
        support_csrf = sign_in(support, system, "support")
        theirs = support.get("/ops/exceptions").text
        assert "Failed attempts" not in theirs
        [current] = re.findall(r'/ops/exceptions/filters/(\d+)"', page)
        assert support.get(f"/ops/exceptions/filters/{current}").status_code == 404
        forget = support.post(
            f"/ops/exceptions/filters/{current}/forget", data={"csrf": support_csrf}
        )
        assert forget.status_code == 404
        foreign = again | {"csrf": support_csrf, "for_team": "operations"}
        assert support.post("/ops/exceptions/filters", data=foreign).status_code == 403
        assert support.get("/ops/exceptions/filters/999999").status_code == 404
        assert support.get("/ops/exceptions/filters/nope").status_code == 422
    assert client.get(f"/ops/exceptions/filters/{current}").status_code == 200  # still there
    forgotten = client.post(f"/ops/exceptions/filters/{current}/forget", data={"csrf": csrf})
    assert forgotten.is_success and "Failed attempts</a>" not in forgotten.text


def test_a_case_has_a_page_with_its_history_timeline_and_messages(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    case_id = _id_of(system, LATE)
    client.post(f"/ops/exceptions/{case_id}/note", data={"csrf": csrf, "text": "rang DHL"})
    page = client.get(f"/ops/cases/{case_id}")
    assert page.status_code == 200
    text = page.text
    assert f"Case {case_id}: delivery attempt failed" in text
    assert "rang DHL" in text and "JD00000900" in text
    assert 'id="timeline-h"' in text and "delivery attempted" in text
    assert 'id="messages-h"' in text
    assert text.count('<details class="menu"') == 1
    assert client.get("/ops/cases/987654").status_code == 404
    assert client.get("/ops/cases/0").status_code == 422
    assert client.get("/ops/cases/abc").status_code == 422


def test_the_filter_form_as_a_browser_sends_it(client: TestClient, system: System) -> None:
    sign_in(client, system, "ops")
    any_of = client.get("/ops/exceptions?kind=&team=&age=&status=open")
    assert any_of.status_code == 200 and len(_rows(any_of.text)) == 4
    support = client.get("/ops/exceptions?kind=failed_attempt&team=support&age=")
    assert len(_rows(support.text)) == 4
    assert not _rows(client.get("/ops/exceptions?team=warehouse").text)
    for hostile in ("kind=explode", "team=%3Cscript%3E", "age=99y", "status=gone"):
        assert client.get(f"/ops/exceptions?{hostile}").status_code == 422, hostile
