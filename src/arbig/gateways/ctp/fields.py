"""The request structs the trader session sends (real ``tdapi`` structs).

Import only after the locale check (see ``spi``): this module loads openctp-ctp.
"""

from openctp_ctp import tdapi

from arbig.domain.order import Order, OrderRequest
from arbig.gateways.ctp.convert import OFFSET_TO_CTP, SIDE_TO_CTP
from arbig.gateways.ctp.settings import CtpLogin

_SPECULATION = tdapi.THOST_FTDC_HF_Speculation


def authenticate(login: CtpLogin) -> tdapi.CThostFtdcReqAuthenticateField:
    field = tdapi.CThostFtdcReqAuthenticateField()
    field.BrokerID = login.broker_id
    field.UserID = login.user_id
    field.AppID = login.app_id
    field.AuthCode = login.auth_code
    field.UserProductInfo = login.product_info
    return field


def login(login: CtpLogin) -> tdapi.CThostFtdcReqUserLoginField:
    field = tdapi.CThostFtdcReqUserLoginField()
    field.BrokerID = login.broker_id
    field.UserID = login.user_id
    field.Password = login.password
    field.UserProductInfo = login.product_info
    return field


def _investor(struct: object, login: CtpLogin) -> None:
    struct.BrokerID = login.broker_id  # type: ignore[attr-defined]
    struct.InvestorID = login.investor_id  # type: ignore[attr-defined]


def settlement_query(login: CtpLogin) -> tdapi.CThostFtdcQrySettlementInfoField:
    field = tdapi.CThostFtdcQrySettlementInfoField()
    _investor(field, login)
    return field  # no TradingDay: the latest statement


def settlement_confirm(login: CtpLogin) -> tdapi.CThostFtdcSettlementInfoConfirmField:
    field = tdapi.CThostFtdcSettlementInfoConfirmField()
    _investor(field, login)
    return field


def instrument_query() -> tdapi.CThostFtdcQryInstrumentField:
    return tdapi.CThostFtdcQryInstrumentField()  # every instrument


def margin_query(login: CtpLogin, symbol: str) -> tdapi.CThostFtdcQryInstrumentMarginRateField:
    field = tdapi.CThostFtdcQryInstrumentMarginRateField()
    _investor(field, login)
    field.InstrumentID = symbol
    field.HedgeFlag = _SPECULATION
    return field


def commission_query(
    login: CtpLogin, symbol: str
) -> tdapi.CThostFtdcQryInstrumentCommissionRateField:
    field = tdapi.CThostFtdcQryInstrumentCommissionRateField()
    _investor(field, login)
    field.InstrumentID = symbol
    return field


def quote_query(symbol: str) -> tdapi.CThostFtdcQryDepthMarketDataField:
    field = tdapi.CThostFtdcQryDepthMarketDataField()
    field.InstrumentID = symbol
    return field


def account_query(login: CtpLogin) -> tdapi.CThostFtdcQryTradingAccountField:
    field = tdapi.CThostFtdcQryTradingAccountField()
    _investor(field, login)
    return field


def position_query(login: CtpLogin) -> tdapi.CThostFtdcQryInvestorPositionField:
    field = tdapi.CThostFtdcQryInvestorPositionField()
    _investor(field, login)
    return field


def order_query(login: CtpLogin) -> tdapi.CThostFtdcQryOrderField:
    field = tdapi.CThostFtdcQryOrderField()
    _investor(field, login)
    return field


def trade_query(login: CtpLogin) -> tdapi.CThostFtdcQryTradeField:
    field = tdapi.CThostFtdcQryTradeField()
    _investor(field, login)
    return field


def input_order(
    login: CtpLogin, request: OrderRequest, order_ref: str
) -> tdapi.CThostFtdcInputOrderField:
    """A limit order, good for the day, any volume, speculation."""
    field = tdapi.CThostFtdcInputOrderField()
    _investor(field, login)
    field.UserID = login.user_id
    field.InstrumentID = request.symbol
    field.ExchangeID = str(request.exchange)
    field.OrderRef = order_ref
    field.OrderPriceType = tdapi.THOST_FTDC_OPT_LimitPrice
    field.Direction = SIDE_TO_CTP[request.side]
    field.CombOffsetFlag = OFFSET_TO_CTP[request.offset]
    field.CombHedgeFlag = _SPECULATION
    field.LimitPrice = float(request.price)
    field.VolumeTotalOriginal = request.volume
    field.TimeCondition = tdapi.THOST_FTDC_TC_GFD
    field.VolumeCondition = tdapi.THOST_FTDC_VC_AV
    field.MinVolume = 1
    field.ContingentCondition = tdapi.THOST_FTDC_CC_Immediately
    field.ForceCloseReason = tdapi.THOST_FTDC_FCC_NotForceClose
    field.IsAutoSuspend = 0
    field.UserForceClose = 0
    return field


def cancel(
    login: CtpLogin,
    order: Order,
    *,
    sys_id: tuple[str, str] | None,
    front_id: int,
    session_id: int,
    order_ref: str,
) -> tdapi.CThostFtdcInputOrderActionField:
    """A delete action naming the order by its exchange number when there is one."""
    field = tdapi.CThostFtdcInputOrderActionField()
    _investor(field, login)
    field.UserID = login.user_id
    field.InstrumentID = order.symbol
    field.ActionFlag = tdapi.THOST_FTDC_AF_Delete
    if sys_id is not None:
        field.ExchangeID, field.OrderSysID = sys_id
    else:
        field.ExchangeID = str(order.exchange)
        field.FrontID = front_id
        field.SessionID = session_id
        field.OrderRef = order_ref
    return field
