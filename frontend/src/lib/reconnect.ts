// Reconnect schedule for the WebSocket: 1, 2, 4, 8, 16, 30, 60, 120, 300, 600 s,
// then give up (the page shows a reload prompt). The number of tries is a
// setting (default 10); tries past the schedule's end wait its last delay.

export const RECONNECT_DELAYS_S: readonly number[] = [1, 2, 4, 8, 16, 30, 60, 120, 300, 600]
export const MAX_RECONNECT_TRIES = RECONNECT_DELAYS_S.length

/**
 * Delay in milliseconds before reconnect try number `attempt` (0-based: the
 * first try after a drop is attempt 0), or null once `maxTries` are used.
 */
export function reconnectDelayMs(attempt: number, maxTries = MAX_RECONNECT_TRIES): number | null {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= maxTries) return null
  const last = RECONNECT_DELAYS_S[RECONNECT_DELAYS_S.length - 1] ?? 600
  const s = RECONNECT_DELAYS_S[attempt] ?? last
  return s * 1000
}

/** Whole seconds left until `retryAt` (epoch ms), never negative; rounds up so "0 s" means now. */
export function secondsUntil(retryAt: number | null, now: number): number | null {
  if (retryAt === null) return null
  return Math.max(0, Math.ceil((retryAt - now) / 1000))
}
