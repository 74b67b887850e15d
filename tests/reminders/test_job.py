"""With the wall clock the reminder dispatcher is one repeating JobQueue job."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.clock import SystemClock
from bot.reminders import dispatcher_of
from bot.reminders.dispatcher import JOB_NAME
from bot.settings import Settings
from bot.startup import prepare
from storage.crypto import new_key


async def test_one_repeating_job_runs_the_dispatcher(tmp_path: Path) -> None:
    settings = Settings(telegram={"token": "123456:" + "T" * 35, "base_url": "http://127.0.0.1:9/bot"},
                        storage={"path": str(tmp_path / "t.sqlite3")}, wilayah={"root": "36.73"},
                        access={"admins": [1000]}, privacy={"key": new_key()})
    services = await prepare(settings, SystemClock())
    try:
        app = build_application(services)
        assert app.job_queue is not None
        jobs = app.job_queue.get_jobs_by_name(JOB_NAME)
        assert len(jobs) == 1, "one periodic job for all reminders, never one timer per reminder"
        dispatcher = dispatcher_of(app)
        assert dispatcher.limits.tick.total_seconds() == jobs[0].job.trigger.interval.total_seconds()
        await jobs[0].run(app)  # the job's own callback: one tick on an empty database
        assert not dispatcher._lock.locked()
    finally:
        await services.db.close()
