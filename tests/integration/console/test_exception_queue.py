"""The exception queue as staff work it: an action returns to the row it was taken on, a case
goes to someone who can take it, a resolution says how, and what a case is about reads in
words and times."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.casework.cases import find_cases, report_missing
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.staff.access import set_disabled
from ordertrail.bootstrap import System
from ordertrail.domain.casework.cases import CaseStatus
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import sign_in, staff_member
from tests.stories import a_busy_queue, record, shopify_order_in_trouble


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    a_busy_queue(system, clock, orders=3)
    with TestClient(create_app(system)) as test_client:
        yield test_client


def _case_ids(page: str) -> list[str]:
    return re.findall(r'<tr class="case-open" id="case-(\d+)"', page)


def test_an_action_returns_to_its_row_with_the_filters_kept(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    listing = "/ops/exceptions?kind=failed_attempt&age="
    page = client.get(listing).text
    last = _case_ids(page)[-1]
    back_to = re.search(r'name="back_to" value="([^"]+)"', page)
    assert back_to
    form = {
        "csrf": csrf,
        "text": "rang the depot",
        "back_to": back_to.group(1).replace("&amp;", "&"),
    }
    done = client.post(f"/ops/exceptions/{last}/note", data=form, follow_redirects=False)
    assert done.headers["location"] == (
        f"/ops/exceptions?kind=failed_attempt&age=&done=note#case-{last}"
    )


def test_a_case_goes_only_to_staff_who_can_take_it(client: TestClient, system: System) -> None:
    csrf = sign_in(client, system, "ops")
    staff_member(system, "support", "sam@shop.example")
    staff_member(system, "warehouse", "wes@shop.example")
    staff_member(system, "support", "gone@shop.example")
    set_disabled(system.uows, "gone@shop.example", True, system.clock.now())
    page = client.get("/ops/exceptions").text
    case_id = _case_ids(page)[0]
    choices = re.findall(
        rf'<select id="a-{case_id}" name="text" required>(.*?)</select>', page, re.S
    )
    assert choices
    offered = re.findall(r'<option value="([^"]*)"', choices[0])
    assert offered == ["", "ops@shop.example", "sam@shop.example"]  # by name: Ops, Support

    url = f"/ops/exceptions/{case_id}/assign"
    for nobody in ("ana@elsewhere.example", "wes@shop.example", "gone@shop.example", ""):
        refused = client.post(url, data={"csrf": csrf, "text": nobody})
        assert refused.status_code == 422, nobody
        assert "assign to:" in refused.text
    assert client.post(url, data={"csrf": csrf, "text": "SAM@shop.example"}).status_code == 200
    [case] = [c for c in find_cases(system.uows, CaseQuery()) if str(c.id) == case_id]
    assert case.assigned_to == "sam@shop.example"


def test_a_case_is_resolved_only_with_how(client: TestClient, system: System) -> None:
    csrf = sign_in(client, system, "ops")
    page = client.get("/ops/exceptions").text
    case_id = _case_ids(page)[0]
    assert re.search(rf'<input id="r-{case_id}" name="text"[^>]* required', page)
    for said in ("", "   "):
        refused = client.post(
            f"/ops/exceptions/{case_id}/resolve", data={"csrf": csrf, "text": said}
        )
        assert refused.status_code == 422 and "resolution:" in refused.text
    still = find_cases(system.uows, CaseQuery(status=None, case_id=int(case_id)))
    assert still[0].status is CaseStatus.OPEN


def test_what_a_case_is_about_reads_in_words_and_times(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    shopify_order_in_trouble(system, clock)
    record(system, clock, carrier="dhl", shipment="JD00000002", milestone="delivered")
    report_missing(system.uows, "JD00000002", "support", "not in the mailroom", clock.now())
    sign_in(client, system, "ops")
    page = client.get("/ops/exceptions").text
    what = re.findall(
        r'<td class="what">([^<]*(?:<time[^>]*>[^<]*</time>[^<]*)*)\s*(?:<details>|</td>)', page
    )
    shown = " ".join(what)
    assert "delivery attempted: recipient unavailable" in shown
    assert "delivery attempted: address issue" in shown
    assert "in transit, no news for 2 days" in shown
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), shown  # no code left
    assert re.search(
        r'delivered <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>', shown
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", re.sub(r'datetime="[^"]+"', "", page))
    assert 'src="/static/local-time.js"' in page
    assert client.get("/static/local-time.js").status_code == 200
