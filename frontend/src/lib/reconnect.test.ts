import { describe, expect, it } from 'vitest'

import { MAX_RECONNECT_TRIES, reconnectDelayMs, secondsUntil } from './reconnect'

describe('reconnectDelayMs', () => {
  it('follows the schedule 1, 2, 4, 8, 16, 30, 60, 120, 300, 600 s', () => {
    const delays = Array.from({ length: MAX_RECONNECT_TRIES }, (_, i) => reconnectDelayMs(i))
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 60, 120, 300, 600].map((s) => s * 1000))
  })

  it('gives up after ten tries by default', () => {
    expect(MAX_RECONNECT_TRIES).toBe(10)
    expect(reconnectDelayMs(10)).toBeNull()
  })

  it('gives up earlier when fewer tries are configured', () => {
    expect(reconnectDelayMs(2, 3)).toBe(4000)
    expect(reconnectDelayMs(3, 3)).toBeNull()
  })

  it('waits the last delay for tries past the schedule', () => {
    expect(reconnectDelayMs(12, 20)).toBe(600_000)
    expect(reconnectDelayMs(20, 20)).toBeNull()
  })

  it('refuses a negative or fractional attempt', () => {
    expect(reconnectDelayMs(-1)).toBeNull()
    expect(reconnectDelayMs(1.5)).toBeNull()
  })
})

describe('secondsUntil', () => {
  it('rounds up and never goes below zero', () => {
    expect(secondsUntil(10_500, 10_000)).toBe(1)
    expect(secondsUntil(12_000, 10_000)).toBe(2)
    expect(secondsUntil(9_000, 10_000)).toBe(0)
    expect(secondsUntil(null, 10_000)).toBeNull()
  })
})
