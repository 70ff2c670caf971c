"""The worker runs the timed commands (daily digests, nightly customer scores) besides the task queue."""

import threading

from etalase.activity import worker


def test_scheduled_commands_run_until_stopped(monkeypatch):
    calls = []
    ran_twice = threading.Event()

    def fake_call_command(name, *arguments, **options):
        calls.append((name, arguments))
        if len(calls) >= 2:
            ran_twice.set()

    monkeypatch.setattr(worker, "call_command", fake_call_command)
    running = worker.Worker(schedule=True)
    thread = threading.Thread(target=running._every, args=("customer_scores", 0.01, ("--due",)))
    thread.start()
    assert ran_twice.wait(5)
    running.stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert set(calls) == {("customer_scores", ("--due",))}


def test_the_daily_digest_and_the_nightly_scores_are_on_the_schedule():
    assert ("notification_digests", 600, ()) in worker.SCHEDULE
    assert ("customer_scores", 3600, ("--due",)) in worker.SCHEDULE
