"""The strategy's job line: one job at a time, in order, eager ones started on the spot."""

import asyncio
from collections.abc import Awaitable

from structlog.testing import capture_logs

from arbig.engine.strategy.jobs import Job, JobLine


def job(log: list[str], name: str, wait: Awaitable[object] | None = None) -> Job:
    async def run() -> None:
        log.append(f"{name} start")
        if wait is not None:
            await wait
        log.append(f"{name} end")

    return run


async def started(line: JobLine) -> asyncio.Task[None]:
    task = asyncio.create_task(line.work())
    await asyncio.sleep(0)
    return task


async def test_eager_jobs_that_do_not_wait_run_on_the_callers_stack() -> None:
    line, log = JobLine("s"), []
    worker = await started(line)
    line.put(job(log, "a"), eager=True)
    line.put(job(log, "b"), eager=True)
    assert log == []  # nothing runs until the caller says so
    line.run_ready()
    assert log == ["a start", "a end", "b start", "b end"]
    await line.join()
    worker.cancel()


async def test_a_job_that_waits_goes_to_the_worker_and_the_rest_wait_behind_it() -> None:
    line, log = JobLine("s"), []
    worker = await started(line)
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    line.put(job(log, "write", gate), eager=True)
    line.put(job(log, "next"), eager=True)
    line.run_ready()
    assert log == ["write start"]
    line.run_ready()  # still under way: nothing overtakes it
    assert log == ["write start"]
    gate.set_result(None)
    await line.join()
    assert log == ["write start", "write end", "next start", "next end"]
    worker.cancel()


async def test_jobs_not_eager_stay_on_the_worker_and_keep_their_place() -> None:
    line, log = JobLine("s"), []
    worker = await started(line)
    line.put(job(log, "update"))
    line.put(job(log, "decision"), eager=True)
    line.run_ready()
    assert log == []  # the update is ahead and is the worker's
    await line.join()
    assert log == ["update start", "update end", "decision start", "decision end"]
    worker.cancel()


async def test_a_failing_job_is_logged_and_the_line_goes_on() -> None:
    line, log = JobLine("s"), []
    worker = await started(line)

    async def broken() -> None:
        raise RuntimeError("store down")

    with capture_logs() as logs:
        line.put(broken, eager=True)
        line.put(job(log, "after"), eager=True)
        line.run_ready()
    await line.join()
    assert log == ["after start", "after end"]
    assert [entry["event"] for entry in logs] == ["strategy job failed"]
    worker.cancel()


async def test_cancelling_the_worker_reaches_a_job_it_was_handed() -> None:
    line = JobLine("s")
    worker = await started(line)
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    cancelled: list[bool] = []

    async def waiting() -> None:
        try:
            await never
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    line.put(waiting, eager=True)
    line.run_ready()
    await asyncio.sleep(0)
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    assert cancelled == [True]
