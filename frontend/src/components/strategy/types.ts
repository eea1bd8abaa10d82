// Strategy shapes (StrategyInfo and StrategyStatus of the engine), taken from the
// types generated from the OpenAPI document (src/api/schema.d.ts, `make types`).
import type { components } from '../../api/schema'

type Schemas = components['schemas']

export type StrategyInfo = Schemas['StrategyInfo']
export type StrategyStatus = Schemas['StrategyStatus']

/** The list from GET /strategy: a list, or {items|strategies: list}. */
export function readStrategies(body: unknown): StrategyInfo[] {
  const o = body as { items?: unknown; strategies?: unknown } | null
  const list = Array.isArray(body) ? body : (o?.items ?? o?.strategies)
  if (!Array.isArray(list)) return []
  return list.filter(
    (x): x is StrategyInfo => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string',
  )
}
