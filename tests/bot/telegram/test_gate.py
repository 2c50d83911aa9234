"""The index gate: reads together, a write alone, a waiting write lets no new read in."""

from __future__ import annotations

import threading

from bot.telegram.gate import IndexGate


def _wait_until(predicate) -> None:
    changed = threading.Event()
    while not predicate():
        changed.wait(0.001)


def test_reads_share_and_a_write_waits_for_them():
    gate = IndexGate()
    events: list[str] = []
    with gate.shared(), gate.shared():  # two reads at once
        writer = threading.Thread(target=lambda: gate.writing(lambda: events.append("write"))())
        writer.start()
        _wait_until(lambda: gate._writers_waiting == 1)
        events.append("reads end")
    writer.join()
    assert events == ["reads end", "write"]


def test_a_waiting_write_goes_before_new_reads():
    gate = IndexGate()
    events: list[str] = []
    first_read = gate.shared()
    first_read.__enter__()
    writer = threading.Thread(target=gate.writing(lambda: events.append("write")))
    writer.start()
    _wait_until(lambda: gate._writers_waiting == 1)
    reader = threading.Thread(target=gate.reading(lambda: events.append("late read")))
    reader.start()
    events.append("first read ends")
    first_read.__exit__(None, None, None)
    writer.join()
    reader.join()
    assert events == ["first read ends", "write", "late read"]


def test_wrapping_twice_wraps_once_and_errors_release_the_gate():
    gate = IndexGate()

    def fail() -> None:
        raise ValueError("boom")

    wrapped = gate.writing(fail)
    assert gate.writing(wrapped) is wrapped
    for _ in range(2):
        try:
            wrapped()
        except ValueError:
            pass
    with gate.shared():  # nothing is left holding the gate
        assert gate.reading(lambda: 42)() == 42
