// Shapes of the book as the API sends them (money and prices as strings), taken
// from the types generated from the OpenAPI document (src/api/schema.d.ts, `make types`).
import type { components } from '../../api/schema'

type Schemas = components['schemas']

export type Position = Schemas['PositionSnapshot']
export type Order = Schemas['Order']
export type ClosePreview = Schemas['ClosePreview']
export type CloseResult = Schemas['CloseResult']
export type Account = Schemas['AccountSnapshot']

const WORKING = new Set(['submitting', 'not_traded', 'part_traded'])

/** Merge one order update into the working-orders list (newest first). */
export function mergeOrder(list: readonly Order[], o: Order): Order[] {
  const rest = list.filter((x) => x.order_id !== o.order_id)
  return WORKING.has(o.status) ? [o, ...rest] : rest
}
