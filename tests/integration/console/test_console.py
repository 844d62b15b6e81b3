"""The ops console without a browser: sign-in, sessions, CSRF, roles, search and the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.rounds import work_round
from ordertrail.app.staff.access import add_staff, set_disabled
from ordertrail.bootstrap import System
from ordertrail.domain.access import Role
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import STAFF_PASSWORD, api_key, canonical_order, login_token, sign_in

UPS, FEDEX = "1Z999AA10123456784", "123456789012"


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        key = api_key(system)
        order = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 2}))
        order["customer"] |= {"phone": "+15555550100"}
        assert test_client.post("/api/v1/orders", json=order, headers=key).is_success
        events = [
            {"shipment": UPS, "milestone": "carrier_accepted", "source": "carrier:ups"},
            {"shipment": UPS, "milestone": "delivered", "source": "warehouse:louisville"},
            {"shipment": FEDEX, "raw_code": "ZZ", "source": "carrier:fedex"},
            {
                "shipment": FEDEX,
                "milestone": "delivery_attempted",
                "reason": "address_issue",
                "source": "carrier:fedex",
            },
        ]
        at = {"occurred_at": clock.now().isoformat()}
        answer = test_client.post("/api/v1/events", json=[e | at for e in events], headers=key)
        assert answer.status_code == 200, answer.text
        yield test_client


def test_a_wrong_password_and_an_unknown_email_read_alike(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    client.cookies.clear()
    answers = []
    for email in ("ops@shop.example", "nobody@shop.example"):
        form = {"email": email, "password": "not the password", "login_token": login_token(client)}
        answers.append(client.post("/ops/login", data=form))
    assert [a.status_code for a in answers] == [401, 401]
    assert all("do not match" in a.text for a in answers)
    assert client.get("/ops", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_and_strict_and_sign_out_ends_it(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    form = {
        "email": "ops@shop.example",
        "password": STAFF_PASSWORD,
        "login_token": login_token(client),
        "next": "//evil.example/phish",
    }
    answer = client.post("/ops/login", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/ops"  # never off-site
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ops").text)
    assert csrf
    assert client.post("/ops/logout", data={"csrf": "wrong"}).status_code == 403
    client.post("/ops/logout", data={"csrf": csrf.group(1)})
    assert (
        client.get("/ops", follow_redirects=False).headers["location"] == "/ops/login?next=%2Fops"
    )


def test_sign_in_without_the_form_token_or_too_often_is_refused(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    client.cookies.clear()
    no_token = {"email": "ops@shop.example", "password": STAFF_PASSWORD}
    assert client.post("/ops/login", data=no_token).status_code == 400
    codes = []
    for _ in range(6):
        form = {
            "email": "ops@shop.example",
            "password": "guess",
            "login_token": login_token(client),
        }
        codes.append(client.post("/ops/login", data=form).status_code)
    assert codes[-1] == 429 and 401 in codes


def test_search_finds_an_order_by_number_tracking_number_or_email(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "support")
    for asked in ("ORD-1", FEDEX, "DANA@example.com"):
        found = client.get("/ops/search", params={"q": asked}, follow_redirects=False)
        assert found.headers["location"] == "/ops/orders/ORD-1", asked
    missing = client.get("/ops/search", params={"q": "<b>nope</b>"})
    assert "Nothing matches" in missing.text and "<b>nope</b>" not in missing.text


def test_the_order_page_shows_every_event_and_highlights_the_conflict(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "support")
    page = client.get("/ops/orders/ORD-1").text
    assert page.count('<tr class="effect-') == 4
    assert 'class="effect-conflict conflict"' in page and "warehouse:louisville" in page
    assert 'class="effect-unmapped"' in page and ">ZZ<" in page
    assert "dana@example.com" in page and "+15555550100" in page
    assert "address issue" in page  # the open case, with its actions
    assert 'action="/ops/exceptions/' in page


def test_a_warehouse_worker_sees_parcels_but_no_contact_and_changes_no_mapping(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "warehouse")
    page = client.get("/ops/orders/ORD-1").text
    assert UPS in page
    for private in ("dana@example.com", "Dana Reyes", "+15555550100"):
        assert private not in page
    refused = client.get("/ops/mappings")
    assert refused.status_code == 403 and "Your role may not read mappings." in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    form = {"csrf": csrf, "carrier": "fedex", "raw_code": "ZZ", "milestone": "in_transit"}
    assert client.post("/ops/mappings", data=form).status_code == 403


def test_the_overview_draws_its_figures(client: TestClient, system: System) -> None:
    sign_in(client, system, "ops")
    page = client.get("/ops")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    labels = re.findall(r'<svg class="chart"[^>]*aria-label="([^"]+)"', page.text)
    title, _, figures = labels[0].partition(": ")
    assert title == "Open exceptions by kind"
    assert set(figures.split("; ")) == {"address problem: 1", "sources disagree: 1"}  # in words
    assert labels[1] == (
        "Open exceptions by age: under 4 h: 2; 4–24 h: 0; 1–3 days: 0; over 3 days: 0"
    )
    title, _, figures = labels[2].partition(": ")
    # the warehouse cannot deliver: its "delivered" is a conflict, not a status
    assert set(figures.split("; ")) == {"carrier accepted: 1", "delivery attempted: 1"}


def test_a_console_form_without_its_csrf_token_changes_nothing(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    form = {"carrier": "fedex", "raw_code": "ZZ", "milestone": "in_transit"}
    assert client.post("/ops/mappings", data=form).status_code == 403
    assert client.post("/ops/mappings", data=form | {"csrf": "x" * 43}).status_code == 403
    assert "ZZ" in client.get("/ops/mappings").text  # still unmapped


def test_a_warehouse_worker_cannot_find_an_order_by_the_customers_email(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "warehouse")
    answer = client.get("/ops/search", params={"q": "dana@example.com"}, follow_redirects=False)
    assert answer.status_code == 200 and "Nothing matches" in answer.text
    assert client.get("/ops/search", params={"q": UPS}, follow_redirects=False).status_code == 303


def test_disabling_or_resetting_a_staff_member_ends_their_sessions(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "support")
    assert client.get("/ops", follow_redirects=False).status_code == 200
    add_staff(
        system.uows,
        system.passwords,
        "support@shop.example",
        "S",
        Role.SUPPORT,
        "a brand new password",
        system.clock.now(),
    )
    assert client.get("/ops", follow_redirects=False).status_code == 303
    sign_in(client, system, "ops")
    assert set_disabled(system.uows, "ops@shop.example", True, system.clock.now())
    assert client.get("/ops", follow_redirects=False).status_code == 303
    form = {
        "email": "ops@shop.example",
        "password": STAFF_PASSWORD,
        "login_token": login_token(client),
    }
    assert client.post("/ops/login", data=form).status_code == 401
    add_staff(
        system.uows,
        system.passwords,
        "ops@shop.example",
        "O",
        Role.OPS,
        STAFF_PASSWORD,
        system.clock.now(),
    )
    form["login_token"] = login_token(client)
    assert client.post("/ops/login", data=form).status_code == 401  # a reset does not re-enable


def test_hostile_form_fields_are_refused_not_crashed(client: TestClient, system: System) -> None:
    form = {"email": "a\x00@b.example", "password": "x", "login_token": login_token(client)}
    assert client.post("/ops/login", data=form).status_code == 422
    csrf = sign_in(client, system, "ops")
    mapping = {"csrf": csrf, "carrier": "fedex", "raw_code": "Q\x00Q", "milestone": "in_transit"}
    assert client.post("/ops/mappings", data=mapping).status_code == 422
    [case_id] = re.findall(
        r'action="/ops/exceptions/(\d+)/assign"', client.get("/ops/exceptions").text
    )[:1]
    assign = {"csrf": csrf, "text": "x" * 121}
    assert client.post(f"/ops/exceptions/{case_id}/assign", data=assign).status_code == 422


def test_the_order_page_lists_what_was_sent_and_to_whom_for_those_who_may_know(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "support")
    rows = re.findall(
        r"<tr><td><time[^>]*>[^<]+</time></td><td>([^<]+)</td>\s*<td>([^<]+)</td>",
        client.get("/ops/orders/ORD-1").text,
    )
    # the attempt failed on the address: the customer is asked to confirm it
    assert ("address issue", "customer: dana@example.com") in rows
    client.cookies.clear()
    sign_in(client, system, "warehouse")
    page = client.get("/ops/orders/ORD-1").text
    assert "address issue" in page and "dana@example.com" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/ops/exceptions?kind=teleported",
        "/ops/exceptions?age=1y",
        "/ops/exceptions?team=" + "x" * 500,
        "/ops/exceptions?overdue=maybe",
        "/ops/orders/" + "O" * 101,
        "/ops/search?q=" + "q" * 321,
        "/ops/search?q=%00",
        "/ops/orders/%00",
    ],
)
def test_hostile_console_addresses_get_a_clear_refusal(
    client: TestClient, system: System, url: str
) -> None:
    sign_in(client, system, "ops")
    answer = client.get(url)
    assert answer.status_code in (400, 422), (url, answer.status_code)


def test_a_console_post_to_a_case_or_message_that_is_not_there_says_so(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    assert client.post("/ops/exceptions/424242/resolve", data={"csrf": csrf}).status_code == 404
    assert client.post("/ops/exceptions/0/resolve", data={"csrf": csrf}).status_code == 422
    assert client.post("/ops/outbox/nope/retry", data={"csrf": csrf}).status_code == 404
    unknown = {"csrf": csrf, "milestone": "delivered", "note": "x", "order_id": "ORD-1"}
    assert client.post("/ops/shipments/NOPE/correction", data=unknown).status_code == 422


def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "admin")
    form = {"csrf": csrf, "name": "reno-scanners", "role": "warehouse", "site": "reno"}
    made = client.post("/ops/access/keys", data=form)
    assert made.status_code == 201
    found = re.search(r'<code class="secret">(otk_[^<]+)</code>', made.text)
    assert found
    secret = found.group(1)
    listed = client.get("/ops/access").text
    assert secret not in listed and secret[:10] in listed
    key_id = re.findall(r'action="/ops/access/keys/(\d+)/revoke"', listed)[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/sites", headers=headers).status_code == 200
    client.post(f"/ops/access/keys/{key_id}/revoke", data={"csrf": csrf})
    assert client.get("/api/v1/sites", headers=headers).status_code == 401
    bad = client.post("/ops/access/keys", data=form | {"role": "ops"})
    assert bad.status_code == 422 and "only a warehouse key" in bad.text


def test_only_an_admin_manages_access_and_cannot_lock_themselves_out(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    assert client.get("/ops/access").status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, system, "admin")
    mine = {"csrf": csrf, "email": "admin@shop.example"}
    assert client.post("/ops/access/staff/disable", data=mine).status_code == 409
    theirs = {"csrf": csrf, "email": "ops@shop.example"}
    assert (
        client.post("/ops/access/staff/disable", data=theirs, follow_redirects=False).status_code
        == 303
    )
    assert "Enable</button>" in client.get("/ops/access").text


def test_orders_needing_attention_are_listed_a_page_at_a_time(
    client: TestClient, system: System
) -> None:
    key = api_key(system)
    for n in range(2, 104):
        order = canonical_order(f"ORD-{n:03d}", (f"P{n:03d}", "dhl", {"HAT": 1}))
        assert client.post("/api/v1/orders", json=order, headers=key).status_code == 201
    sign_in(client, system, "ops")
    assert ">1</strong> orders needing attention" in client.get("/ops").text
    trouble = client.get("/ops/orders", params={"needs_attention": "true"}).text
    assert re.findall(r'<a href="/ops/orders/([^"]+)">', trouble) == ["ORD-1"]
    first = client.get("/ops/orders").text
    shown = re.findall(r'<a href="/ops/orders/(ORD-[^"]+)">', first)
    assert len(shown) == 100 and shown[0] == "ORD-002"
    following = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert following
    rest = client.get(following.group(1).replace("&amp;", "&")).text
    assert re.findall(r'<a href="/ops/orders/(ORD-[^"]+)">', rest) == [
        "ORD-101",
        "ORD-102",
        "ORD-103",
    ]


def test_the_overview_says_when_a_carrier_has_gone_quiet_about_all_its_parcels(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    key = api_key(system)
    parcels = [f"ACME-{n}" for n in range(3)]
    order = canonical_order("ORD-Q", *[(p, "acme", {"HAT": 1}) for p in parcels])
    assert client.post("/api/v1/orders", json=order, headers=key).status_code == 201
    moving = [{"shipment": p, "milestone": "in_transit", "source": "carrier:acme"} for p in parcels]
    at = {"occurred_at": clock.now().isoformat()}
    assert client.post("/api/v1/events", json=[e | at for e in moving], headers=key).is_success
    sign_in(client, system, "ops")
    assert "has told us nothing" not in client.get("/ops").text
    clock.advance(hours=13)
    sign_in(client, system, "ops")  # the first session has ended (12 h)
    warning = re.search(
        r'<p class="feedback warn quiet"[^>]*>(.*?)</p>', client.get("/ops").text, re.S
    )
    assert (
        warning and "<strong>acme</strong>" in warning.group(1) and "3 parcels" in warning.group(1)
    )
    news = moving[0] | {"milestone": "out_for_delivery", "occurred_at": clock.now().isoformat()}
    assert client.post("/api/v1/events", json=[news], headers=key).is_success
    assert "has told us nothing" not in client.get("/ops").text


def test_the_overview_says_when_the_worker_has_stopped(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    sign_in(client, system, "ops")
    assert "The worker is not running" in client.get("/ops").text  # it never ran
    done = work_round(system.uows, clock, {}, {})
    assert "looked at" in done.said()
    assert "The worker is not running" not in client.get("/ops").text
    clock.advance(minutes=11)
    assert (
        'last round <time datetime="2026-11-25T12:00:00+00:00">2026-11-25 12:00 UTC</time>'
        in client.get("/ops").text
    )


def test_the_queue_names_parcels_by_their_tracking_numbers(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    key, tracking = api_key(system), "1Z12345E6605272234"
    order = canonical_order("ORD-B")
    order["shipments"] = [{"id": "BOX-1", "tracking_number": tracking, "carrier": "ups"}]
    assert client.post("/api/v1/orders", json=order, headers=key).status_code == 201
    attempt = {"shipment": "BOX-1", "milestone": "delivery_attempted", "reason": "refused"}
    attempt |= {"source": "carrier:ups", "occurred_at": clock.now().isoformat()}
    assert client.post("/api/v1/events", json=[attempt], headers=key).status_code == 200
    sign_in(client, system, "support")
    queue = client.get("/ops/exceptions").text
    assert f"ORD-B</a><br>{tracking}</td>" in queue and "BOX-1" not in queue
    assert f"ORD-B</a><br>{tracking}</td>" in client.get("/ops/orders/ORD-B").text


@pytest.mark.parametrize("page", ["/ops/mappings", "/ops/orders/ORD-1"])
def test_no_meaning_or_status_is_chosen_for_staff(
    client: TestClient, system: System, page: str
) -> None:
    csrf = sign_in(client, system, "ops")
    selects = re.findall(
        r'<select [^>]*name="milestone"[^>]*>(.*?)</select>', client.get(page).text
    )
    assert selects
    for options in selects:
        first = re.match(r"<option ([^>]*)>", options)
        assert first and 'value=""' in first.group(1) and "selected disabled" in first.group(1)
    unchosen = {"csrf": csrf, "carrier": "fedex", "raw_code": "ZZ", "milestone": ""}
    assert client.post("/ops/mappings", data=unchosen).status_code == 422
    assert "<code>ZZ</code>" in client.get("/ops/mappings").text  # still waiting to be mapped
