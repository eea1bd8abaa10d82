// When a value on screen may no longer be true. The console never shows a
// possibly old value as live: it marks it instead.

import type { ConnectionState } from './socket'

export type StaleReason = 'offline' | 'resyncing' | 'old' | null

export interface Freshness {
  /** the live connection's state */
  connection: ConnectionState
  /** epoch ms of the last update of this value (null: never) */
  updatedAt: number | null
  /** a re-fetch after a reconnect or a seq gap is under way */
  resyncing?: boolean
  /** older than this is stale even on a live connection (ticks); omit for event-driven data */
  maxAgeMs?: number
}

/** Why a value may be stale now, or null when it is live. */
export function staleReason(f: Freshness, now: number): StaleReason {
  if (f.connection !== 'open') return 'offline'
  if (f.resyncing) return 'resyncing'
  if (f.maxAgeMs !== undefined && f.updatedAt !== null && now - f.updatedAt > f.maxAgeMs) {
    return 'old'
  }
  return null
}

/** Ticks arrive twice a second in a session; four seconds of silence is not live. */
export const TICK_MAX_AGE_MS = 4000
