"""The CThostFtdcTraderSpi: runs on CTP's thread, copies each struct and posts it on.

Every method returns at once: the work happens on the event loop (``TraderSession``),
in the order CTP called. Import this module only after ``environment.ctp_problems``
found the locale: loading openctp-ctp without it aborts the process.
"""

from typing import Any, Protocol

from openctp_ctp import tdapi

from arbig.gateways.ctp.bridge import CallbackBridge, Fields, copy_fields


class TraderCallbacks(Protocol):
    """The loop side of the SPI (``trader.TraderSession``)."""

    def on_front_connected(self) -> None: ...
    def on_front_disconnected(self, reason: int) -> None: ...
    def on_heartbeat_warning(self, lapse: int) -> None: ...
    def on_response(
        self, request_id: int, data: Fields | None, info: Fields | None, is_last: bool
    ) -> None: ...
    def on_rtn_order(self, fields: Fields) -> None: ...
    def on_rtn_trade(self, fields: Fields) -> None: ...
    def on_order_refused(self, fields: Fields | None, info: Fields | None) -> None: ...
    def on_cancel_refused(self, fields: Fields | None, info: Fields | None) -> None: ...


class TraderSpi(tdapi.CThostFtdcTraderSpi):  # type: ignore[misc]
    def __init__(self, session: TraderCallbacks, bridge: CallbackBridge) -> None:
        super().__init__()
        self._session = session
        self._bridge = bridge

    def _answer(self, data: Any, info: Any, request_id: int, is_last: bool) -> None:
        self._bridge.post(
            self._session.on_response, request_id, copy_fields(data), copy_fields(info), is_last
        )

    # --- connection ----------------------------------------------------------------------
    def OnFrontConnected(self) -> None:
        self._bridge.post(self._session.on_front_connected)

    def OnFrontDisconnected(self, nReason: int) -> None:
        self._bridge.post(self._session.on_front_disconnected, int(nReason))

    def OnHeartBeatWarning(self, nTimeLapse: int) -> None:
        self._bridge.post(self._session.on_heartbeat_warning, int(nTimeLapse))

    def OnRspError(self, pRspInfo: Any, nRequestID: int, bIsLast: bool) -> None:
        self._answer(None, pRspInfo, nRequestID, bIsLast)

    # --- session steps and queries: all answered the same way ---------------------------
    def OnRspAuthenticate(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspUserLogin(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQrySettlementInfo(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspSettlementInfoConfirm(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryInstrument(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryInstrumentMarginRate(
        self, data: Any, info: Any, request_id: int, last: bool
    ) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryInstrumentCommissionRate(
        self, data: Any, info: Any, request_id: int, last: bool
    ) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryDepthMarketData(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryTradingAccount(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryInvestorPosition(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryOrder(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    def OnRspQryTrade(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._answer(data, info, request_id, last)

    # --- orders ---------------------------------------------------------------------------
    def OnRtnOrder(self, pOrder: Any) -> None:
        self._bridge.post(self._session.on_rtn_order, copy_fields(pOrder))

    def OnRtnTrade(self, pTrade: Any) -> None:
        self._bridge.post(self._session.on_rtn_trade, copy_fields(pTrade))

    def OnRspOrderInsert(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._bridge.post(self._session.on_order_refused, copy_fields(data), copy_fields(info))

    def OnErrRtnOrderInsert(self, pInputOrder: Any, pRspInfo: Any) -> None:
        self._bridge.post(
            self._session.on_order_refused, copy_fields(pInputOrder), copy_fields(pRspInfo)
        )

    def OnRspOrderAction(self, data: Any, info: Any, request_id: int, last: bool) -> None:
        self._bridge.post(self._session.on_cancel_refused, copy_fields(data), copy_fields(info))

    def OnErrRtnOrderAction(self, pOrderAction: Any, pRspInfo: Any) -> None:
        self._bridge.post(
            self._session.on_cancel_refused, copy_fields(pOrderAction), copy_fields(pRspInfo)
        )
