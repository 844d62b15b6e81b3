"""Delivery proof kept in an S3-compatible bucket instead of the folder: the driver's photo and
signature go to the bucket (and nowhere on disk), the customer's signed link opens the photo
from it, a reference that is not one never reaches the bucket, and erasing the customer
deletes the files there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.privacy.erasure import erase
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.store.proofs.proof_bucket import BucketProofFiles
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.fleet_story import (
    EMAIL,
    ORDERS,
    act,
    deliver,
    driver,
    photo,
    plan,
    shop_orders,
    sign_in,
    stored_files,
)
from tests.s3_stand_in import StandIn, s3_stand_in


@pytest.fixture
def bucket() -> Iterator[StandIn]:
    with s3_stand_in("shop-proofs") as store:
        yield store


@pytest.fixture
def system(
    database_url: str, clock: FixedClock, tmp_path: Path, bucket: StandIn
) -> Iterator[System]:
    settings = Settings(
        database_url=database_url,
        proof_folder=tmp_path / "proofs",
        proof_bucket="shop-proofs",
        proof_bucket_prefix="pod/",
        proof_bucket_endpoint=bucket.url,
        proof_bucket_region="us-east-1",
        proof_bucket_access_key="ordertrail",
        proof_bucket_secret_key="not-a-real-secret",
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


def test_proof_goes_to_the_bucket_and_comes_back_through_the_signed_link(
    system: System, clock: FixedClock, bucket: StandIn, tmp_path: Path
) -> None:
    pin = driver(system)
    with TestClient(create_app(system)) as client:
        shop_orders(client, system)
        assert plan(client, system).status_code == 201
        clock.advance(hours=2)
        token = sign_in(client, "Sam Ortiz", pin)
        assert act(client, token, action="started", stop=None, key="start" * 4).status_code == 201
        assert deliver(client, token, stop="3", key="d3" * 10).status_code == 201

        assert len(bucket.objects) == 2  # the photo and the signature
        assert all(key.startswith("pod/") for key in bucket.objects)
        assert stored_files(tmp_path / "proofs") == []  # nothing on this machine's disk

        page = client.get("/track", params={"order": ORDERS[2], "email": EMAIL}).text
        links = [link.replace("&amp;", "&") for link in re.findall(r'src="(/proof/[^"]+)"', page)]
        assert len(links) == 2
        opened = client.get(links[0])
        assert opened.status_code == 200 and opened.content == photo()
        assert opened.headers["content-type"] == "image/jpeg"

    done = erase(system.uows, ORDERS[2], "ops:dpo", clock.now(), proofs=system.proof_files())
    assert done.counts["proofs"] == 2
    assert bucket.objects == {}


def test_a_reference_that_is_not_one_never_reaches_the_bucket(bucket: StandIn) -> None:
    store = BucketProofFiles.connect(
        "shop-proofs",
        endpoint_url=bucket.url,
        region="us-east-1",
        access_key="ordertrail",
        secret_key="not-a-real-secret",
    )
    reference = store.put(photo(), "image/jpeg")
    assert store.get(reference) == (photo(), "image/jpeg")
    assert store.put(photo(), "image/jpeg") == reference  # the same bytes, the same name
    assert len(bucket.objects) == 1
    for hostile in ("../etc/passwd", f"{reference}/../x", "", "a" * 64 + ".exe"):
        assert store.get(hostile) is None
        assert store.delete(hostile) is False
    assert store.get("0" * 64 + ".jpg") is None  # well formed, but not there
    assert store.delete(reference) is True
    assert store.get(reference) is None and store.delete(reference) is False
