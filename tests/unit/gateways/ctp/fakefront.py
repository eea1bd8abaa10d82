"""A test double for CThostFtdcTraderApi: a broker front that answers from its own thread.

Like CTP, it calls the SPI from one callback thread of its own, with real openctp_ctp
structs, and it reuses one struct per type for every call (CTP's buffer), so an SPI
that kept a struct instead of copying it would see the next message's values. It
keeps the day's orders and trades, answers the queries from them, and replays them
after a reconnect, as the private topic in ``restart`` mode does.
"""

import asyncio
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ctpkit import gb18030_rsp_info, put_gb18030
from openctp_ctp import tdapi

from arbig.gateways.ctp.bridge import copy_fields

PASSWORD = "right-password"
AUTH_CODE = "0000000000000000"
FRONT_ID = 1


@dataclass
class Position:
    symbol: str
    direction: str  # PosiDirection: "2" long, "3" short
    date: str  # PositionDate: "1" today, "2" history
    volume: int
    open_cost: float
    exchange: str = "SHFE"


@dataclass
class FrontOrder:
    ref: str
    session_id: int
    symbol: str
    direction: str
    offset: str
    price: float
    volume: int
    traded: int = 0
    status: str = "a"
    submit_status: str = "0"
    sys_id: str = ""
    message: str = ""


@dataclass
class FrontTrade:
    trade_id: str
    order: FrontOrder
    price: float
    volume: int
    time: str


@dataclass
class FakeFront:
    """The broker: configure it, then hand ``api`` to the session as its factory."""

    trading_day: str = "20261203"
    auth_error: tuple[int, str] | None = None
    silent: bool = False  # accepts the connection, answers nothing
    positions: list[Position] = field(default_factory=list)
    statement: bytes = "结算单 2026-12-02\n客户号 123456\n".encode("gb18030")
    balance: float = 1_000_000.0
    orders: list[FrontOrder] = field(default_factory=list)
    trades: list[FrontTrade] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refuse_next_order: tuple[int, str] | None = None
    session_id: int = 100
    spi: Any = None
    threads: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._calls: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="fake-ctp", daemon=True)
        self._thread.start()
        self._structs: dict[type, Any] = {}
        self._next_sys_id = 9000

    # --- the callback thread --------------------------------------------------------------
    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            self.threads.add(threading.get_ident())
            if self.spi is not None:  # none after RegisterSpi(None), as in CTP
                call()

    def call(self, call: Callable[[], None]) -> None:
        self._calls.put(call)

    def stop(self) -> None:
        self._calls.put(None)
        self._thread.join(5)
        self._structs.clear()  # freed now, not at interpreter exit (after SWIG's types)

    def drained(self) -> "asyncio.Future[None]":
        """Resolves when every call queued so far has run on the callback thread."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._calls.put(lambda: loop.call_soon_threadsafe(future.set_result, None))
        return future

    def _struct(self, kind: type, **values: Any) -> Any:
        struct = self._structs.get(kind)
        if struct is None:
            struct = self._structs[kind] = kind()
        for name in copy_fields(struct) or {}:  # clear what the last message left
            current = getattr(struct, name)
            setattr(struct, name, type(current)() if not isinstance(current, bytes) else "")
        for name, value in values.items():
            setattr(struct, name, value)
        return struct

    def _ok(self) -> Any:
        return self._struct(tdapi.CThostFtdcRspInfoField, ErrorID=0, ErrorMsg="")

    def _answer(self, method: str, rows: list[Any], request_id: int) -> None:
        def run() -> None:
            spi = getattr(self.spi, method)
            if not rows:
                spi(None, self._ok(), request_id, True)
            for index, row in enumerate(rows):
                spi(row() if callable(row) else row, self._ok(), request_id, index == len(rows) - 1)

        self.call(run)

    def _refuse(self, method: str, error: tuple[int, str], request_id: int) -> None:
        info = gb18030_rsp_info(*error)
        self.call(lambda: getattr(self.spi, method)(None, info, request_id, True))

    def _record(self, name: str, request: Any) -> None:
        self.requests.append((name, copy_fields(request) or {}))

    # --- what a test does to the front ----------------------------------------------------
    def disconnect(self, reason: int = 0x1001) -> None:
        self.call(lambda: self.spi.OnFrontDisconnected(reason))

    def reconnect(self, *, new_session: bool = True) -> None:
        if new_session:
            self.session_id += 1
        self.call(self.spi.OnFrontConnected)

    def replay_private_topic(self) -> None:
        """What the private topic in restart mode sends after a login: the day again."""
        for order in self.orders:
            self._push_order(order)
        for trade in self.trades:
            self._push_trade(trade)

    def accept(self, order: FrontOrder) -> None:
        """The exchange takes the order: it gets its OrderSysID."""
        self._next_sys_id += 1
        order.sys_id = f"{self._next_sys_id:>12}"
        order.status = "3"
        order.submit_status = "3"
        self._push_order(order)

    def fill(self, order: FrontOrder, volume: int, price: float, time: str = "10:01:02") -> None:
        trade = FrontTrade(f"{len(self.trades) + 1:>12}", order, price, volume, time)
        self.trades.append(trade)
        order.traded += volume
        order.status = "0" if order.traded == order.volume else "1"
        self._push_trade(trade)
        self._push_order(order)

    def cancelled(self, order: FrontOrder, message: str = "已撤单") -> None:
        order.status = "5"
        order.message = message
        self._push_order(order)

    def exchange_refuses(self, order: FrontOrder, message: str) -> None:
        order.status = "5"
        order.submit_status = "4"
        order.message = message
        self._push_order(order)

    def order(self, ref: str) -> FrontOrder:
        return next(order for order in self.orders if order.ref == ref)

    def _order_struct(self, order: FrontOrder) -> Any:
        struct = self._struct(
            tdapi.CThostFtdcOrderField,
            BrokerID="9999",
            InvestorID="123456",
            InstrumentID=order.symbol,
            ExchangeID="SHFE",
            OrderRef=order.ref,
            FrontID=FRONT_ID,
            SessionID=order.session_id,
            Direction=order.direction,
            CombOffsetFlag=order.offset,
            CombHedgeFlag="1",
            OrderPriceType="2",
            LimitPrice=order.price,
            VolumeTotalOriginal=order.volume,
            VolumeTraded=order.traded,
            VolumeTotal=order.volume - order.traded,
            OrderStatus=order.status,
            OrderSubmitStatus=order.submit_status,
            OrderSysID=order.sys_id,
            TradingDay=self.trading_day,
            InsertDate=self.trading_day,
            InsertTime="10:00:00",
        )
        put_gb18030(struct, "StatusMsg", order.message)
        return struct

    def _push_order(self, order: FrontOrder) -> None:
        now = replace(order)  # the report as of now, whatever the order does next
        self.call(lambda: self.spi.OnRtnOrder(self._order_struct(now)))

    def _trade_struct(self, trade: FrontTrade) -> Any:
        return self._struct(
            tdapi.CThostFtdcTradeField,
            InstrumentID=trade.order.symbol,
            ExchangeID="SHFE",
            TradeID=trade.trade_id,
            OrderSysID=trade.order.sys_id,
            OrderRef=trade.order.ref,
            Direction=trade.order.direction,
            OffsetFlag=trade.order.offset,
            HedgeFlag="1",
            Price=trade.price,
            Volume=trade.volume,
            TradeDate=self.trading_day,
            TradeTime=trade.time,
            TradingDay=self.trading_day,
        )

    def _push_trade(self, trade: FrontTrade) -> None:
        now = replace(trade, order=replace(trade.order))
        self.call(lambda: self.spi.OnRtnTrade(self._trade_struct(now)))

    # --- CThostFtdcTraderApi --------------------------------------------------------------
    def api(self, flow_dir: str) -> "FakeFront":
        self.flow_dir = flow_dir
        return self

    def RegisterSpi(self, spi: Any) -> None:
        self.spi = spi

    def RegisterFront(self, front: str) -> None:
        self._record("front", {"front": front})

    def SubscribePrivateTopic(self, mode: int) -> None:
        self.private_topic = mode

    def SubscribePublicTopic(self, mode: int) -> None:
        self.public_topic = mode

    def Init(self) -> None:
        self.call(lambda: self.spi.OnFrontConnected())

    def Release(self) -> None:
        self.stop()

    def ReqAuthenticate(self, request: Any, request_id: int) -> int:
        self._record("authenticate", request)
        if self.silent:
            return 0
        if self.auth_error is not None:
            self._refuse("OnRspAuthenticate", self.auth_error, request_id)
            return 0
        answer = self._struct(tdapi.CThostFtdcRspAuthenticateField, AppID=request.AppID)
        self._answer("OnRspAuthenticate", [answer], request_id)
        return 0

    def ReqUserLogin(self, request: Any, request_id: int) -> int:
        self._record("login", request)
        if request.Password != PASSWORD:
            self._refuse("OnRspUserLogin", (3, "CTP:不合法的登录"), request_id)
            return 0
        answer = self._struct(
            tdapi.CThostFtdcRspUserLoginField,
            TradingDay=self.trading_day,
            FrontID=FRONT_ID,
            SessionID=self.session_id,
            MaxOrderRef="7",
        )
        self._answer("OnRspUserLogin", [answer], request_id)
        return 0

    def ReqQrySettlementInfo(self, request: Any, request_id: int) -> int:
        self._record("settlement", request)
        # 500-byte chunks, as CTP sends them: a chunk may end inside a character
        chunks = [self.statement[i : i + 500] for i in range(0, len(self.statement), 500)]

        def chunk(part: bytes) -> Callable[[], Any]:
            def make() -> Any:
                struct = self._struct(tdapi.CThostFtdcSettlementInfoField, InvestorID="123456")
                import ctypes

                ctypes.memmove(int(struct.this) + 44, part + b"\0", len(part) + 1)
                return struct

            return make

        self._answer("OnRspQrySettlementInfo", [chunk(part) for part in chunks], request_id)
        return 0

    def ReqSettlementInfoConfirm(self, request: Any, request_id: int) -> int:
        self._record("confirm", request)
        answer = self._struct(
            tdapi.CThostFtdcSettlementInfoConfirmField, ConfirmDate=self.trading_day
        )
        self._answer("OnRspSettlementInfoConfirm", [answer], request_id)
        return 0

    def ReqQryInstrument(self, request: Any, request_id: int) -> int:
        self._record("instruments", request)

        def instrument(symbol: str, product_class: str = "1") -> Callable[[], Any]:
            return lambda: self._struct(
                tdapi.CThostFtdcInstrumentField,
                InstrumentID=symbol,
                ExchangeID="SHFE",
                ProductID=symbol[:2],
                ProductClass=product_class,
                VolumeMultiple=1000,
                PriceTick=0.02,
                ExpireDate="20260615",
                IsTrading=1,
                MaxLimitOrderVolume=500,
            )

        rows = [instrument("au2606"), instrument("au2608"), instrument("au2606C900", "2")]
        self._answer("OnRspQryInstrument", rows, request_id)
        return 0

    def ReqQryInstrumentMarginRate(self, request: Any, request_id: int) -> int:
        self._record("margin", request)
        answer = lambda: self._struct(  # noqa: E731
            tdapi.CThostFtdcInstrumentMarginRateField,
            InstrumentID=request.InstrumentID,
            LongMarginRatioByMoney=0.12,
            ShortMarginRatioByMoney=0.12,
        )
        self._answer("OnRspQryInstrumentMarginRate", [answer], request_id)
        return 0

    def ReqQryInstrumentCommissionRate(self, request: Any, request_id: int) -> int:
        self._record("commission", request)
        answer = lambda: self._struct(  # noqa: E731
            tdapi.CThostFtdcInstrumentCommissionRateField,
            InstrumentID="au",  # brokers answer per product
            OpenRatioByVolume=10.0,
            CloseRatioByVolume=10.0,
            CloseTodayRatioByVolume=0.0,
        )
        self._answer("OnRspQryInstrumentCommissionRate", [answer], request_id)
        return 0

    def ReqQryDepthMarketData(self, request: Any, request_id: int) -> int:
        self._record("quote", request)
        answer = lambda: self._struct(  # noqa: E731
            tdapi.CThostFtdcDepthMarketDataField,
            InstrumentID=request.InstrumentID,
            PreSettlementPrice=900.0,
            UpperLimitPrice=990.0,
            LowerLimitPrice=810.0,
        )
        self._answer("OnRspQryDepthMarketData", [answer], request_id)
        return 0

    def ReqQryTradingAccount(self, request: Any, request_id: int) -> int:
        self._record("account", request)
        answer = lambda: self._struct(  # noqa: E731
            tdapi.CThostFtdcTradingAccountField,
            AccountID="123456",
            Balance=self.balance,
            Available=self.balance - 108_000.0,
            CurrMargin=108_000.0,
            Commission=20.0,
            CloseProfit=1500.0,
            PositionProfit=-300.0,
        )
        self._answer("OnRspQryTradingAccount", [answer], request_id)
        return 0

    def ReqQryInvestorPosition(self, request: Any, request_id: int) -> int:
        self._record("positions", request)
        rows = [
            (
                lambda p=p: self._struct(
                    tdapi.CThostFtdcInvestorPositionField,
                    InstrumentID=p.symbol,
                    ExchangeID=p.exchange,
                    PosiDirection=p.direction,
                    PositionDate=p.date,
                    Position=p.volume,
                    TodayPosition=p.volume if p.date == "1" else 0,
                    YdPosition=p.volume if p.date == "2" else 0,
                    OpenCost=p.open_cost,
                    TradingDay=self.trading_day,
                )
            )
            for p in self.positions
        ]
        self._answer("OnRspQryInvestorPosition", rows, request_id)
        return 0

    def ReqQryOrder(self, request: Any, request_id: int) -> int:
        self._record("orders", request)
        rows = [lambda o=o: self._order_struct(o) for o in self.orders]
        self._answer("OnRspQryOrder", rows, request_id)
        return 0

    def ReqQryTrade(self, request: Any, request_id: int) -> int:
        self._record("trades", request)
        rows = [lambda t=t: self._trade_struct(t) for t in self.trades]
        self._answer("OnRspQryTrade", rows, request_id)
        return 0

    def ReqOrderInsert(self, request: Any, request_id: int) -> int:
        self._record("order", request)
        if self.refuse_next_order is not None:
            error, self.refuse_next_order = self.refuse_next_order, None
            copied = tdapi.CThostFtdcInputOrderField()
            copied.OrderRef = request.OrderRef
            info = gb18030_rsp_info(*error)
            self.call(lambda: self.spi.OnRspOrderInsert(copied, info, request_id, True))
            self.call(lambda: self.spi.OnErrRtnOrderInsert(copied, info))
            return 0
        order = FrontOrder(
            ref=request.OrderRef,
            session_id=self.session_id,
            symbol=request.InstrumentID,
            direction=request.Direction,
            offset=request.CombOffsetFlag,
            price=request.LimitPrice,
            volume=request.VolumeTotalOriginal,
        )
        self.orders.append(order)
        self._push_order(order)  # the front took it: status unknown, no OrderSysID yet
        return 0

    def ReqOrderAction(self, request: Any, request_id: int) -> int:
        self._record("cancel", request)
        return 0
