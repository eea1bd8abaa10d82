// System-wide state every page shows: health (main contract, components) and
// the trading state behind the halt banner. Fed by the `system` topic and
// re-read from REST whenever the topic says something changed.

import { reactive } from 'vue'

import { ApiError, get } from '../lib/api'
import { EP } from '../lib/endpoints'
import { readTradingState, type Health, type TradingState } from '../lib/system'
import { listen } from './live'

export const system = reactive<{
  health: Health | null
  trading: TradingState | null
  /** the trading-state route is missing on this server */
  tradingMissing: boolean
  error: string | null
}>({ health: null, trading: null, tradingMissing: false, error: null })

let healthInFlight: Promise<void> | null = null

/** Re-read /health; calls while one is under way share it. */
export function refreshHealth(): Promise<void> {
  healthInFlight ??= get<Health>(EP.health)
    .then((h) => {
      system.health = h
      system.error = null
    })
    .catch((e: unknown) => {
      system.error = e instanceof Error ? e.message : String(e)
    })
    .finally(() => {
      healthInFlight = null
    })
  return healthInFlight
}

export async function refreshTrading(): Promise<void> {
  try {
    system.trading = readTradingState(await get<unknown>(EP.riskState))
    system.tradingMissing = false
  } catch (e) {
    if (e instanceof ApiError && e.missing) system.tradingMissing = true
  }
}

let timer: ReturnType<typeof setTimeout> | null = null
/** Several system messages in a burst cause one re-read. */
function refreshSoon(): void {
  if (timer !== null) return
  timer = setTimeout(() => {
    timer = null
    void refreshHealth()
    void refreshTrading()
  }, 150)
}

let stop: (() => void) | null = null

export function watchSystem(): void {
  if (stop) return
  if (!system.health) void refreshHealth()
  void refreshTrading()
  stop = listen('system', {
    onData: (msg) => {
      const data = msg.data
      if (data && typeof data === 'object' && 'components' in data) {
        system.health = data as Health
      } else {
        const ts = readTradingState(data)
        if (ts) system.trading = ts
      }
      if (!msg.snapshot) refreshSoon()
    },
    onResync: refreshSoon,
  })
}

export function unwatchSystem(): void {
  stop?.()
  stop = null
}
