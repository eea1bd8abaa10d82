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
  drop(code = 1006, reason = ''): void {
    this.readyState = 3
    this.onclose?.({ code, reason })
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
  const opens: boolean[] = []
  const gaps: string[] = []
  const ms = new MarketSocket({
    onOpen: (r) => opens.push(r),
    onGap: (t) => gaps.push(t),
    now: () => 1_000_000,
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
  return { ms, sockets, timers, statuses, messages, fire, opens, gaps }
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
  it('subscribes on open, drops duplicate ticks and accepts conflated jumps', () => {
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
    expect(h.ms.missed).toBe(0) // ticks are conflated: a jump is not a loss
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

  it('reports the close code and the time of the next try', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.sockets[0]!.drop(4008, 'too slow')
    const last = h.statuses[h.statuses.length - 1]!
    expect(last.state).toBe('reconnecting')
    expect(last.lastClose).toEqual({ code: 4008, reason: 'too slow' })
    expect(last.retryAt).toBe(1_001_000)
  })

  it('tells a reconnect apart from the first open so the page re-fetches', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.sockets[0]!.drop()
    h.fire()
    h.sockets[1]!.open()
    expect(h.opens).toEqual([false, true])
    expect(JSON.parse(h.sockets[1]!.sent[0]!)).toEqual({ op: 'subscribe', topics: ['tick:au2612'] })
  })

  it('subscribes and unsubscribes topics while open, and re-subscribes all on reconnect', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.ms.subscribe(['positions', 'tick:au2612'])
    expect(JSON.parse(h.sockets[0]!.sent[1]!)).toEqual({ op: 'subscribe', topics: ['positions'] })
    h.ms.unsubscribe(['tick:au2612'])
    expect(JSON.parse(h.sockets[0]!.sent[2]!)).toEqual({ op: 'unsubscribe', topics: ['tick:au2612'] })
    h.sockets[0]!.drop()
    h.fire()
    h.sockets[1]!.open()
    expect(JSON.parse(h.sockets[1]!.sent[0]!)).toEqual({ op: 'subscribe', topics: ['positions'] })
  })

  it('reports a seq gap on a book topic after delivering the message', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.ms.subscribe(['positions'])
    h.sockets[0]!.receive({ type: 'positions', topic: 'positions', seq: 5, snapshot: true, data: [] })
    h.sockets[0]!.receive({ type: 'positions', topic: 'positions', seq: 6, data: [] })
    expect(h.gaps).toEqual([])
    h.sockets[0]!.receive({ type: 'positions', topic: 'positions', seq: 9, data: [] })
    expect(h.gaps).toEqual(['positions'])
    expect(h.messages).toHaveLength(3)
  })

  it('ignores messages of a topic it is not subscribed to', () => {
    const h = harness()
    h.ms.start()
    h.sockets[0]!.open()
    h.sockets[0]!.receive({ type: 'account', topic: 'account', seq: 1, data: {} })
    expect(h.messages).toHaveLength(0)
  })

  it('gives up after the configured number of tries', () => {
    const h = harness()
    h.ms.setMaxAttempts(2)
    h.ms.start()
    h.sockets[0]!.drop()
    h.fire()
    h.sockets[1]!.drop()
    h.fire()
    h.sockets[2]!.drop()
    expect(h.ms.state).toBe('failed')
  })
})
