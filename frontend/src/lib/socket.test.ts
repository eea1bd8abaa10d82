import { describe, expect, it } from 'vitest'

import type { ServerMessage } from './messages'
import { MarketSocket, wsUrl, type SocketLike, type StatusInfo } from './socket'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: string[] = []
  closed = false
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data)
  }
  close(): void {
    this.closed = true
    this.readyState = 3
  }
  // test helpers
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }
  drop(): void {
    this.readyState = 3
    this.onclose?.({})
  }
  receive(obj: unknown): void {
    this.onmessage?.({ data: JSON.stringify(obj) })
  }
}

function harness() {
  const sockets: FakeSocket[] = []
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = []
  const statuses: StatusInfo[] = []
  const messages: ServerMessage[] = []
  const ms = new MarketSocket({
    url: 'ws://host/ws',
    topics: ['tick:au2612'],
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    createSocket: (url) => {
      const s = new FakeSocket(url)
      sockets.push(s)
      return s
    },
    setTimer: (fn, delay) => {
      const t = { fn, ms: delay, cleared: false }
      timers.push(t)
      return t
    },
    clearTimer: (h) => {
      ;(h as { cleared: boolean }).cleared = true
    },
    pingIntervalMs: 0,
  })
  /** fire the latest pending timer */
  const fire = (): number => {
    const t = [...timers].reverse().find((x) => !x.cleared)
    if (!t) throw new Error('no pending timer')
    t.cleared = true
    t.fn()
    return t.ms
  }
  return { ms, sockets, timers, statuses, messages, fire }
}

const tick = (seq: number) => ({
  type: 'tick',
  topic: 'tick:au2612',
  seq,
  data: {
    symbol: 'au2612',
    timestamp: 1,
    datetime: '',
    trading_day: '20261027',
    last_price: '900.00',
    bid_price: '899.98',
    ask_price: '900.02',
    high_price: '901.00',
    low_price: '899.00',
    open_price: '900.00',
    pre_settlement: '899.50',
    limit_up: '970.00',
    limit_down: '830.00',
    turnover: '0',
    volume: 1,
    bid_volume: 1,
    ask_volume: 1,
    open_interest: 1,
  },
})

describe('wsUrl', () => {
  it('follows the page protocol', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8000' })).toBe('ws://127.0.0.1:8000/ws')
    expect(wsUrl({ protocol: 'https:', host: 'arbig.example' })).toBe('wss://arbig.example/ws')
  })
})

describe('MarketSocket', () => {
  it('subscribes on open and delivers ticks in seq order', () => {
    const h = harness()
    h.ms.start()
    expect(h.sockets).toHaveLength(1)
    h.sockets[0]!.open()
    expect(JSON.parse(h.sockets[0]!.sent[0]!)).toEqual({ op: 'subscribe', topics: ['tick:au2612'] })
    expect(h.ms.state).toBe('open')
    h.sockets[0]!.receive(tick(1))
    h.sockets[0]!.receive(tick(1)) // duplicate: dropped
    h.sockets[0]!.receive(tick(3))
    expect(h.messages.map((m) => (m.type === 'tick' ? m.seq : -1))).toEqual([1, 3])
    expect(h.ms.missed).toBe(1)
  })

  it('reconnects on the backoff schedule, then fails after 10 tries', () => {
    const h = harness()
    h.ms.start()
    const delays: number[] = []
    for (let i = 0; i < 10; i++) {
      h.sockets[h.sockets.length - 1]!.drop()
      expect(h.ms.state).toBe('reconnecting')
      delays.push(h.fire())
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 30, 60, 120, 300, 600].map((s) => s * 1000))
    h.sockets[h.sockets.length - 1]!.drop()
    expect(h.ms.state).toBe('failed')
    expect(h.sockets).toHaveLength(11)
  })

  it('resets the backoff after a successful open', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.drop()
    expect(h.fire()).toBe(1000)
    h.sockets[1]!.drop()
    expect(h.fire()).toBe(2000)
    h.sockets[2]!.open()
    h.sockets[2]!.drop()
    expect(h.fire()).toBe(1000)
    expect(h.sockets[3]!.url).toBe('ws://host/ws')
  })

  it('stops cleanly without reconnecting', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.ms.stop()
    expect(h.sockets[0]!.closed).toBe(true)
    expect(h.ms.state).toBe('closed')
    expect(h.timers.filter((t) => !t.cleared)).toHaveLength(0)
  })

  it('retryNow starts over after failing', () => {
    const h = harness()
    h.ms.start()
    for (let i = 0; i < 10; i++) {
      h.sockets[h.sockets.length - 1]!.drop()
      h.fire()
    }
    h.sockets[h.sockets.length - 1]!.drop()
    expect(h.ms.state).toBe('failed')
    h.ms.retryNow()
    expect(h.ms.state).toBe('connecting')
    h.sockets[h.sockets.length - 1]!.open()
    expect(h.ms.state).toBe('open')
  })
})
