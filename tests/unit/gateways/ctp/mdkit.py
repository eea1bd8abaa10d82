"""Real ``CThostFtdcDepthMarketDataField`` snapshots as an SHFE front sends them, and a
stand-in for ``CThostFtdcMdApi`` that calls the SPI back from threads of its own."""

import sys
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from openctp_ctp import mdapi

DBL_MAX = sys.float_info.max
SYMBOL = "au2612"


def depth(
    update_time: str,
    *,
    action_day: str,
    trading_day: str,
    millis: int = 0,
    last: float = 612.36,
    bid: float = 612.34,
    ask: float = 612.38,
    bid_volume: int = 5,
    ask_volume: int = 7,
    symbol: str = SYMBOL,
    **fields: Any,
) -> mdapi.CThostFtdcDepthMarketDataField:
    """A snapshot of ``symbol`` with a sensible book; ``fields`` set any others."""
    data = mdapi.CThostFtdcDepthMarketDataField()
    data.InstrumentID = symbol
    data.ExchangeID = ""  # SHFE's market-data fronts leave it empty
    data.TradingDay = trading_day
    data.ActionDay = action_day
    data.UpdateTime = update_time
    data.UpdateMillisec = millis
    data.LastPrice = last
    data.Volume = 1200
    data.Turnover = 1200 * 612.0 * 1000
    data.OpenInterest = 200_000.0
    data.BidPrice1, data.BidVolume1 = bid, bid_volume
    data.AskPrice1, data.AskVolume1 = ask, ask_volume
    data.OpenPrice, data.HighestPrice, data.LowestPrice = 610.0, 613.0, 609.5
    data.PreSettlementPrice, data.PreClosePrice = 610.5, 610.2
    data.UpperLimitPrice, data.LowerLimitPrice = 659.32, 561.66
    data.ClosePrice = data.SettlementPrice = DBL_MAX
    for name, value in fields.items():
        setattr(data, name, value)
    return data


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def rsp_info(error_id: int = 0, message: str = "") -> mdapi.CThostFtdcRspInfoField:
    info = mdapi.CThostFtdcRspInfoField()
    info.ErrorID = error_id
    info.ErrorMsg = message
    return info


class FakeMdApi:
    """Stands in for ``CThostFtdcMdApi``: records the requests and answers each on a
    thread of its own, as CTP does. ``refuse_login`` makes the front refuse logins."""

    def __init__(self, flow_dir: str, *, trading_day: str = "20260608") -> None:
        self.flow_dir = flow_dir
        self.trading_day = trading_day
        self.spi: Any = None
        self.fronts: list[str] = []
        self.logins: list[tuple[str, str]] = []
        self.subscribed: list[list[str]] = []
        self.unsubscribed: list[list[str]] = []
        self.refuse_login: tuple[int, str] | None = None
        self.released = False
        self.threads: list[threading.Thread] = []

    def _later(self, call: Callable[[], None]) -> None:
        thread = threading.Thread(target=call, name="ctp-md-api")
        self.threads.append(thread)
        thread.start()
        thread.join()  # one at a time, in order, as CTP's single callback thread

    def RegisterSpi(self, spi: Any) -> None:
        self.spi = spi

    def RegisterFront(self, front: str) -> None:
        self.fronts.append(front)

    def Init(self) -> None:
        self._later(self.spi.OnFrontConnected)

    def ReqUserLogin(self, request: Any, request_id: int) -> int:
        self.logins.append((request.BrokerID, request.UserID))
        answer = mdapi.CThostFtdcRspUserLoginField()
        answer.TradingDay = self.trading_day
        refused = self.refuse_login
        info = rsp_info(*refused) if refused else rsp_info()
        self._later(lambda: self.spi.OnRspUserLogin(answer, info, request_id, True))
        return 0

    def SubscribeMarketData(self, symbols: list[bytes], count: int) -> int:
        names = [symbol.decode() for symbol in symbols[:count]]
        self.subscribed.append(names)
        for name in names:
            field = mdapi.CThostFtdcSpecificInstrumentField()
            field.InstrumentID = name
            self._later(lambda f=field: self.spi.OnRspSubMarketData(f, rsp_info(), 0, True))
        return 0

    def UnSubscribeMarketData(self, symbols: list[bytes], count: int) -> int:
        self.unsubscribed.append([symbol.decode() for symbol in symbols[:count]])
        return 0

    def Release(self) -> None:
        self.released = True

    # --- what the front does by itself -------------------------------------------------

    def push(self, *snapshots: mdapi.CThostFtdcDepthMarketDataField) -> None:
        """The front sends ``snapshots``, one after another on its thread."""

        def run() -> None:
            for snapshot in snapshots:
                self.spi.OnRtnDepthMarketData(snapshot)

        self._later(run)

    def drop(self, reason: int = 0x1001) -> None:
        self._later(lambda: self.spi.OnFrontDisconnected(reason))

    def come_back(self) -> None:
        self._later(self.spi.OnFrontConnected)


class MdRecorder:
    """A market-data listener that keeps what it is told, for the tests to wait on."""

    def __init__(self) -> None:
        self.ticks: list[Any] = []
        self.connections: list[tuple[bool, str]] = []
        self.logs: list[tuple[str, str]] = []
        self.loop_thread: set[int] = set()

    def on_tick(self, tick: Any) -> None:
        self.loop_thread.add(threading.get_ident())
        self.ticks.append(tick)

    def on_connection(self, connected: bool, reason: str) -> None:
        self.loop_thread.add(threading.get_ident())
        self.connections.append((connected, reason))

    def on_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Wait, yielding to the loop, until ``condition`` holds (generous for a loaded box)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
