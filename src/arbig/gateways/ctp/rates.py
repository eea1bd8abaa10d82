"""The trader session's queried tables as the broker tables value object
(``domain.broker_tables.BrokerTables``), which paper trading and the contract specs
take, and which ``gateways.tables.broker_tables_toml`` writes as a ``broker_tables``
file."""

from arbig.domain.broker_tables import BrokerTables, CommissionRate, InstrumentTerms, MarginRate
from arbig.gateways.ctp import tables as queried


def broker_tables(found: queried.QueriedTables) -> BrokerTables:
    """What the session's queries found, by contract (commission rates also by product,
    as brokers often answer them). The session queries the long side's margin rates;
    they stand for the short side as well."""
    return BrokerTables(
        instruments={
            symbol: InstrumentTerms(
                exchange=item.exchange,
                multiplier=item.multiplier,
                price_tick=item.price_tick,
                max_order_volume=item.max_order_volume,
            )
            for symbol, item in found.instruments.items()
        },
        margins={
            symbol: MarginRate(
                long_by_money=rate.by_money,
                long_by_volume=rate.by_volume,
                short_by_money=rate.by_money,
                short_by_volume=rate.by_volume,
            )
            for symbol, rate in found.margin.items()
        },
        commissions={
            symbol: CommissionRate(
                open_by_money=rate.open_by_money,
                open_by_volume=rate.open_by_volume,
                close_by_money=rate.close_by_money,
                close_by_volume=rate.close_by_volume,
                close_today_by_money=rate.close_today_by_money,
                close_today_by_volume=rate.close_today_by_volume,
            )
            for symbol, rate in found.commission.items()
        },
    )
