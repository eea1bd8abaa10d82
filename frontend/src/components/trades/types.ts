// Trade history shapes as the API sends them.

export interface TradeItem {
  trade: {
    trade_id: string
    order_id: string
    symbol: string
    side: string
    offset: string
    price: string
    volume: number
    datetime: string
    trading_day: string
    commission: string
  }
  realized_pnl: string | null
}

export interface TradePage {
  items: TradeItem[]
  total: number
  limit: number
  offset: number
}

export interface DailyRow {
  trading_day: string
  symbol: string
  trade_count: number
  buy_volume: number
  sell_volume: number
  turnover: string
  commission: string
  realized_pnl: string
}

export interface Statistics {
  realized_pnl: string
  commission: string
  net_pnl: string
  closing_trades: number
  wins: number
  losses: number
  win_rate: string | null
  profit_factor: string | null
  max_drawdown: { amount: string; fraction: string | null }
  per_day: Array<{ trading_day: string; realized_pnl: string; commission: string; net_pnl?: string }>
}

export interface TradeFilters {
  symbol: string
  side: string
  since_day: string
  until_day: string
}

/** Pages for a total: 1 when empty. */
export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, limit)))
}
