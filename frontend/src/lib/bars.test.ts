import { describe, expect, it } from 'vitest'

import { foldTick, placeBar, readBar, readBars, type ChartBar } from './bars'

const at = (hhmmss: string): number => Date.parse(`2026-11-23T${hhmmss}+08:00`)

describe('readBar', () => {
  it('reads decimal strings and an ISO start', () => {
    expect(
      readBar({ datetime: '2026-11-23T09:01:00+08:00', open: '918.00', high: '919.02', low: '917.50', close: '918.40', volume: 12 }),
    ).toEqual({ t: at('09:01:00'), open: 918, high: 919.02, low: 917.5, close: 918.4, volume: 12 })
  })

  it('refuses something that is not a bar', () => {
    expect(readBar({ datetime: 'x', open: '1' })).toBeNull()
    expect(readBar(null)).toBeNull()
  })

  it('reads a list or a wrapped list, sorted and one per minute', () => {
    const a = { start: at('09:02:00'), open: 1, high: 1, low: 1, close: 1 }
    const b = { start: at('09:01:00'), open: 2, high: 2, low: 2, close: 2 }
    expect(readBars([a, b, a]).map((x) => x.close)).toEqual([2, 1])
    expect(readBars({ items: [a] })).toHaveLength(1)
    expect(readBars({ nope: 1 })).toEqual([])
  })
})

describe('foldTick', () => {
  it('updates the forming bar and opens the next minute', () => {
    const bars: ChartBar[] = []
    foldTick(bars, { timestamp: at('09:00:01'), last_price: '918.00', volume: 100 }, null)
    foldTick(bars, { timestamp: at('09:00:30'), last_price: '918.40', volume: 104 }, 100)
    foldTick(bars, { timestamp: at('09:00:59'), last_price: '917.80', volume: 105 }, 104)
    foldTick(bars, { timestamp: at('09:01:00'), last_price: '918.10', volume: 107 }, 105)
    expect(bars).toEqual([
      { t: at('09:00:00'), open: 918, high: 918.4, low: 917.8, close: 917.8, volume: 5 },
      { t: at('09:01:00'), open: 918.1, high: 918.1, low: 918.1, close: 918.1, volume: 2 },
    ])
  })

  it('ignores a tick older than the last bar and keeps at most max bars', () => {
    const bars: ChartBar[] = []
    foldTick(bars, { timestamp: at('09:05:00'), last_price: '1', volume: 1 }, null, 2)
    foldTick(bars, { timestamp: at('09:04:00'), last_price: '2', volume: 1 }, null, 2)
    expect(bars).toHaveLength(1)
    foldTick(bars, { timestamp: at('09:06:00'), last_price: '3', volume: 1 }, null, 2)
    foldTick(bars, { timestamp: at('09:07:00'), last_price: '4', volume: 1 }, null, 2)
    expect(bars.map((b) => b.close)).toEqual([3, 4])
  })
})

describe('placeBar', () => {
  it('replaces the local bar of the same minute by the server one', () => {
    const bars: ChartBar[] = [{ t: 0, open: 1, high: 1, low: 1, close: 1, volume: 0 }]
    placeBar(bars, { t: 0, open: 1, high: 2, low: 1, close: 2, volume: 9 })
    placeBar(bars, { t: 60_000, open: 2, high: 2, low: 2, close: 2, volume: 1 })
    expect(bars.map((b) => [b.t, b.close])).toEqual([[0, 2], [60_000, 2]])
  })
})
