import { describe, expect, it } from 'vitest'

import { staleReason, TICK_MAX_AGE_MS } from './staleness'

describe('staleReason', () => {
  const now = 1_000_000

  it('is live on an open connection with fresh data', () => {
    expect(staleReason({ connection: 'open', updatedAt: now - 500, maxAgeMs: TICK_MAX_AGE_MS }, now)).toBeNull()
  })

  it('marks everything stale while the connection is not open', () => {
    for (const c of ['connecting', 'reconnecting', 'failed', 'closed'] as const) {
      expect(staleReason({ connection: c, updatedAt: now }, now)).toBe('offline')
    }
  })

  it('marks data stale while its snapshot is being re-fetched', () => {
    expect(staleReason({ connection: 'open', updatedAt: now, resyncing: true }, now)).toBe('resyncing')
  })

  it('marks a tick older than its maximum age', () => {
    expect(staleReason({ connection: 'open', updatedAt: now - 5000, maxAgeMs: 4000 }, now)).toBe('old')
  })

  it('does not age event-driven data that simply has not changed', () => {
    expect(staleReason({ connection: 'open', updatedAt: now - 3_600_000 }, now)).toBeNull()
  })
})
