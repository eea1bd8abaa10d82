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

export async function refreshHealth(): Promise<void> {
  try {
    system.health = await get<Health>(EP.health)
    system.error = null
  } catch (e) {
    system.error = e instanceof Error ? e.message : String(e)
  }
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
  void refreshHealth()
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
