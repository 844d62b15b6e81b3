"""A carrier mapping file for carriers no adapter knows: read, or refused with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.custom import MappingFileError, load

TOML = """
[carriers.acme]
PU = "carrier_accepted"
OFD = "out_for_delivery"
NH = { milestone = "delivery_attempted", reason = "recipient_unavailable" }
00042 = "delivered"

[carriers.BigFreight]
APPT = "in_transit"
"""


def test_a_toml_table_is_read_with_codes_normalized(tmp_path: Path) -> None:
    path = tmp_path / "carriers.toml"
    path.write_text(TOML)
    table = {m.key: (m.milestone, m.reason, m.mapped_by) for m in load(path)}
    assert table[("acme", "NH")] == (
        M.DELIVERY_ATTEMPTED,
        R.RECIPIENT_UNAVAILABLE,
        "file:carriers.toml",
    )
    assert table[("acme", "042")][0] is M.DELIVERED
    assert table[("bigfreight", "APPT")][0] is M.IN_TRANSIT
    assert len(table) == 5


def test_a_csv_table_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "carriers.csv"
    path.write_text(
        "carrier,code,milestone,reason\nacme,PU,carrier_accepted,\nacme,WX,delayed,weather\n"
    )
    assert {m.raw_code: m.reason for m in load(path)} == {"PU": None, "WX": R.WEATHER}


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.toml", "[carriers.acme]\nPU = 'teleported'", "[carriers.acme] PU: 'teleported' is not"),
        ("a.toml", "[carriers.acme]\nPU = 'order_placed'", "not something a carrier code can mean"),
        ("a.toml", "[carriers.acme]\nNH = 'delivery_attempted'", "needs a reason"),
        (
            "a.toml",
            "[carriers.acme]\nPU = { milestone = 'in_transit', reason = 'weather' }",
            "takes no reason",
        ),
        ("a.toml", "[carriers.acme]\n0042 = 'delivered'\n00042 = 'in_transit'", "listed twice"),
        ("a.toml", "[carriers.acme\nPU = 1", "is not valid TOML"),
        ("a.toml", "title = 'no carriers'", "needs a [carriers.<name>] table"),
        ("a.csv", "carrier,milestone\nacme,delivered\n", "line 1: the header needs"),
        (
            "a.csv",
            "carrier,code,milestone\nacme,PU,carrier_accepted\nacme,,delivered\n",
            "line 3: needs a carrier and a code",
        ),
        (
            "a.csv",
            "carrier,code,milestone,reason\nacme,X,delayed,bored\n",
            "line 2: 'bored' is not a reason",
        ),
    ],
)
def test_every_mistake_is_refused_with_where_and_why(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(MappingFileError, match=words.replace("[", r"\[").replace("(", r"\(")):
        load(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MappingFileError, match="cannot be read"):
        load(tmp_path / "absent.toml")
