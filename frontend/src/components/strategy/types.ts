// Strategy shapes (StrategyInfo and StrategyStatus of the engine).

export interface StrategyInfo {
  name: string
  description?: string
  params: Record<string, unknown>
  params_schema?: Record<string, unknown>
  running?: boolean
}

export interface StrategyStatus {
  state: string
  name?: string | null
  symbol?: string | null
  started_at?: string | null
  stopped_at?: string | null
  error?: string | null
  notice?: string | null
  params?: Record<string, unknown>
  working_orders?: number
  long?: number
  short?: number
}

/** The list from GET /strategy: a list, or {items|strategies: list}. */
export function readStrategies(body: unknown): StrategyInfo[] {
  const o = body as { items?: unknown; strategies?: unknown } | null
  const list = Array.isArray(body) ? body : (o?.items ?? o?.strategies)
  if (!Array.isArray(list)) return []
  return list.filter(
    (x): x is StrategyInfo => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string',
  )
}
