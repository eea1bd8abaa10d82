import { describe, expect, it } from 'vitest'

import { MAX_RECONNECT_TRIES, reconnectDelayMs } from './reconnect'

describe('reconnectDelayMs', () => {
  it('follows 1,2,4,8,16,30,60,120,300,600 s', () => {
    const delays = Array.from({ length: MAX_RECONNECT_TRIES }, (_, i) => reconnectDelayMs(i))
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 60, 120, 300, 600].map((s) => s * 1000))
  })

  it('gives up after 10 tries', () => {
    expect(MAX_RECONNECT_TRIES).toBe(10)
    expect(reconnectDelayMs(10)).toBeNull()
    expect(reconnectDelayMs(-1)).toBeNull()
    expect(reconnectDelayMs(1.5)).toBeNull()
  })
})
