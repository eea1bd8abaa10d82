import { describe, expect, it } from 'vitest'

import { drawdown, rangeSince, readEquity } from './equity'

describe('drawdown', () => {
  it('tracks the running peak and the deepest fall from it', () => {
    const pts = [100, 120, 90, 110, 130, 117].map((balance, t) => ({ t, balance }))
    const d = drawdown(pts)
    expect(d.peak).toEqual([100, 120, 120, 120, 130, 130])
    expect(d.depth).toEqual([0, 0, 30, 10, 0, 13])
    expect(d.max).toEqual({ amount: 30, fraction: 0.25 })
  })

  it('is empty for no points', () => {
    expect(drawdown([]).max).toEqual({ amount: 0, fraction: 0 })
  })
})

describe('readEquity', () => {
  it('reads balances and times, oldest first, skipping bad rows', () => {
    const rows = [
      { balance: '1000090.00', update_time: '2026-11-22T20:58:34+00:00' },
      { balance: '999930.00', update_time: '2026-11-22T20:58:19+00:00' },
      { balance: 'x', update_time: '2026-11-22T20:58:20+00:00' },
    ]
    expect(readEquity(rows).map((p) => p.balance)).toEqual([999930, 1000090])
  })
})

describe('rangeSince', () => {
  it('gives an ISO instant or null for all', () => {
    expect(rangeSince(1, Date.parse('2026-11-23T00:00:00Z'))).toBe('2026-11-22T00:00:00.000Z')
    expect(rangeSince(null, 0)).toBeNull()
  })
})
