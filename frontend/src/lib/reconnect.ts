// Reconnect schedule for the WebSocket: 1, 2, 4, 8, 16, 30, 60, 120, 300, 600 s,
// then give up (the page shows a reload prompt).

export const RECONNECT_DELAYS_S: readonly number[] = [1, 2, 4, 8, 16, 30, 60, 120, 300, 600]
export const MAX_RECONNECT_TRIES = RECONNECT_DELAYS_S.length

/**
 * Delay in milliseconds before reconnect try number `attempt` (0-based: the
 * first try after a drop is attempt 0), or null once all tries are used.
 */
export function reconnectDelayMs(attempt: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 0) return null
  const s = RECONNECT_DELAYS_S[attempt]
  return s === undefined ? null : s * 1000
}
