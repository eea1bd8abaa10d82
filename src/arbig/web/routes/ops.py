"""Operations: the protections' thresholds, the notification channels, a test message."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from arbig.ops.notify import ChannelReport, Notifier
from arbig.opsconfig import NotifySettings, ProtectionSettings
from arbig.web.responses import DomainJSON
from arbig.web.schemas import answers, refused

router = APIRouter(prefix="/ops", tags=["system"])


class NotifyView(BaseModel):
    """The notification settings without the channels' URLs (they may hold secrets)."""

    channels: list[ChannelReport]
    quiet_start: str | None
    quiet_end: str | None
    rate_per_minute: int
    gateway_down_after_s: float
    stale_after_s: float
    daily_summary_at: str | None


class OpsView(BaseModel):
    protections: ProtectionSettings
    notify: NotifyView


class TestResults(BaseModel):
    results: dict[str, bool]


def _notifier(request: Request) -> Notifier | None:
    notifier = getattr(request.app.state, "notifier", None)
    return notifier if isinstance(notifier, Notifier) else None


def _clock(value: Any) -> str | None:
    return None if value is None else value.strftime("%H:%M")


@router.get(
    "", summary="Protection thresholds and notification channels", responses=answers(OpsView)
)
async def ops_view(request: Request) -> Any:
    settings = request.app.state.settings
    notify: NotifySettings = settings.notify
    notifier = _notifier(request)
    view = OpsView(
        protections=settings.protections,
        notify=NotifyView(
            channels=notifier.reports() if notifier is not None else [],
            quiet_start=_clock(notify.quiet_start),
            quiet_end=_clock(notify.quiet_end),
            rate_per_minute=notify.rate_per_minute,
            gateway_down_after_s=notify.gateway_down_after_s,
            stale_after_s=notify.stale_after_s,
            daily_summary_at=_clock(notify.daily_summary_at),
        ),
    )
    return DomainJSON(view.model_dump(mode="json"))


@router.post(
    "/notify-test",
    summary="Send a test message to every notification channel now",
    responses={**answers(TestResults), **refused(409, "No notification channel is configured")},
)
async def notify_test(request: Request) -> Any:
    notifier = _notifier(request)
    if notifier is None or not notifier.channels:
        raise HTTPException(409, "no notification channels are configured ([notify.channels])")
    return TestResults(results=await notifier.test())
