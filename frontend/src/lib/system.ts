// Shapes of the system-wide answers and a forgiving reader of the trading
// state (the risk routes and the system topic were still being built).

export interface Component {
  state: string
  detail?: string
}

export interface Health {
  status: string
  main_contract: string
  version?: string
  uptime_s?: number
  components: Record<string, Component>
  /** the broker session's steps (CTP); absent or empty for a gateway without one */
  session?: unknown
  [key: string]: unknown
}

export interface TradingState {
  state: 'active' | 'reducing' | 'halted'
  emergencyStop: boolean
  reason: string | null
  since: string | null
  /** who set it: an operator, `reconciliation`, `protection:<name>` */
  actor?: string | null
}

const STATES = ['active', 'reducing', 'halted'] as const

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null
}

/**
 * Read a trading state from a REST answer or a system message: accepts
 * `{state}`, `{trading_state}`, nested `{trading: {...}}` or `{risk: {...}}`,
 * and an `emergency_stop` flag (true or an object). Null when none is there.
 */
export function readTradingState(data: unknown): TradingState | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null
  const o = data as Record<string, unknown>
  for (const k of ['trading', 'risk', 'trading_state']) {
    const inner = o[k]
    if (typeof inner === 'object' && inner !== null) {
      const r = readTradingState(inner)
      if (r) return r
    }
  }
  const raw = str(o.trading_state) ?? str(o.state)
  const state = STATES.find((s) => s === raw)
  const es = o.emergency_stop ?? o.emergency
  const esOn = es === true || (typeof es === 'object' && es !== null && (es as { active?: unknown }).active !== false)
  if (!state && !esOn) return null
  const esObj = typeof es === 'object' && es !== null ? (es as Record<string, unknown>) : {}
  return {
    state: state ?? 'halted',
    emergencyStop: esOn,
    reason: str(o.reason) ?? str(esObj.reason) ?? null,
    since: str(o.since) ?? str(o.changed_at) ?? str(o.at) ?? str(esObj.at) ?? null,
    actor: str(o.actor) ?? undefined,
  }
}

/** The banner to show: none when trading is active. */
export function bannerOf(ts: TradingState | null): 'halted' | 'reducing' | null {
  if (!ts) return null
  if (ts.state === 'halted' || ts.emergencyStop) return 'halted'
  if (ts.state === 'reducing') return 'reducing'
  return null
}
