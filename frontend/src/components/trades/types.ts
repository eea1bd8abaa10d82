// Trade history shapes as the API sends them, taken from the types generated from
// the OpenAPI document (src/api/schema.d.ts, `make types`).
import type { components } from '../../api/schema'

type Schemas = components['schemas']

export type TradeItem = Schemas['TradeRecord']
export type TradePage = Schemas['Page_TradeRecord_']
export type DailyRow = Schemas['DailySummary']
export type Statistics = Schemas['Statistics']

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
