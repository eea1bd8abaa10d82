"""Notifications delivered for real: to a webhook receiver and to an SMTP server."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, time

import pytest
from receivers import Webhook, smtp_server

from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.opsconfig import ChannelSettings, NotifyEvent, NotifySettings

pytestmark = pytest.mark.integration


async def until(predicate: Callable[[], bool]) -> None:
    try:
        async with asyncio.timeout(10):
            while not predicate():  # noqa: ASYNC110 - a poll of a receiver thread
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail("condition not met within 10 s")


def counted(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_a_fill_reaches_the_webhook_and_the_mailbox() -> None:
    with Webhook() as hook, smtp_server() as (mailbox, mail_url):
        settings = NotifySettings(
            channels={
                "hook": ChannelSettings(url=hook.url),
                "mail": ChannelSettings(url=mail_url, events=[NotifyEvent.FILL]),
            }
        )
        metrics = Metrics()
        notifier = Notifier(settings, metrics)
        notifier.start()
        notifier.notify(NotifyEvent.FILL, "fill buy open 2 au2612 @ 921.40", "trade T1")
        notifier.notify(NotifyEvent.REJECTION, "order rejected", "max_position: 21 lots")
        await until(lambda: len(hook.received) == 2 and len(mailbox.messages) == 1)
        await notifier.stop()
    assert hook.titles() == ["ARBIG: fill buy open 2 au2612 @ 921.40", "ARBIG: order rejected"]
    assert hook.received[1]["message"] == "max_position: 21 lots"
    assert "Subject: ARBIG: fill buy open 2 au2612 @ 921.40" in mailbox.messages[0]
    assert counted(metrics, "arbig_notifications_total", channel="hook", outcome="sent") == 2
    assert counted(metrics, "arbig_notifications_total", channel="mail", outcome="sent") == 1


async def test_the_rate_limit_and_quiet_hours_drop_and_count() -> None:
    with Webhook() as hook:
        settings = NotifySettings(
            channels={"hook": ChannelSettings(url=hook.url)},
            rate_limits={NotifyEvent.FILL: 2},
            quiet_start=time(0, 0),
            quiet_end=time(23, 59, 59),
        )
        metrics = Metrics()
        # Noon in Shanghai: inside the quiet hours.
        notifier = Notifier(settings, metrics, clock=lambda: datetime(2026, 6, 1, 4, tzinfo=UTC))
        notifier.start()
        notifier.notify(NotifyEvent.TRADING_STATE, "trading active -> reducing")  # quiet
        for n in range(4):
            notifier.notify(NotifyEvent.PROTECTION, f"protection {n}")  # urgent: not quiet
        settings_fill = NotifySettings(
            channels={"hook": ChannelSettings(url=hook.url)}, rate_limits={NotifyEvent.FILL: 2}
        )
        loud = Notifier(settings_fill, metrics)
        loud.start()
        for n in range(4):
            loud.notify(NotifyEvent.FILL, f"fill {n}")
        await until(lambda: len(hook.received) == 6)
        await notifier.stop()
        await loud.stop()
    assert "ARBIG: trading active -> reducing" not in hook.titles()
    assert counted(metrics, "arbig_notifications_dropped_total", reason="quiet_hours") == 1
    assert counted(metrics, "arbig_notifications_dropped_total", reason="rate_limited") == 2
    assert hook.titles().count("ARBIG: fill 0") == 1
    assert "ARBIG: fill 2" not in hook.titles()


async def test_a_full_queue_drops_the_oldest_and_counts_it() -> None:
    with Webhook() as hook:
        settings = NotifySettings(channels={"hook": ChannelSettings(url=hook.url)}, queue_size=2)
        metrics = Metrics()
        notifier = Notifier(settings, metrics)
        notifier.start()
        for n in range(5):  # no await between: the sender has taken none of them yet
            notifier.notify(NotifyEvent.FILL, f"fill {n}")
        await until(lambda: len(hook.received) >= 2)
        await notifier.stop()
    assert hook.titles() == ["ARBIG: fill 3", "ARBIG: fill 4"]
    assert counted(metrics, "arbig_notifications_dropped_total", reason="queue_full") == 3
