"""The worker's waits after rounds that met a database it could not use."""

from __future__ import annotations

from ordertrail.app.backoff import Backoff


def test_waits_double_up_to_the_interval_and_start_again_once_it_works() -> None:
    longest = Backoff(cap=10, jitter=lambda: 0.999999)
    assert [round(longest.failed()) for _ in range(7)] == [1, 2, 4, 8, 10, 10, 10]
    assert longest.recovered() is True
    assert round(longest.failed()) == 1
    assert longest.recovered() is True and longest.recovered() is False


def test_each_wait_is_drawn_from_the_upper_half_of_its_step() -> None:
    shortest = Backoff(cap=60, jitter=lambda: 0.0)
    assert [shortest.failed() for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_a_long_outage_never_waits_past_the_interval() -> None:
    patient = Backoff(cap=30)
    assert all(15 <= wait < 30 for wait in [patient.failed() for _ in range(200)][5:])
