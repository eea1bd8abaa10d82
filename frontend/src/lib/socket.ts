// A WebSocket to `/ws` that subscribes to topics, reconnects on the schedule in
// reconnect.ts and reports its state. The socket, timers and clock are
// injectable so the logic is unit-tested without a browser.

import {
  parseServerMessage,
  pingFrame,
  SeqTracker,
  subscribeFrame,
  unsubscribeFrame,
  type ServerMessage,
} from './messages'
import { MAX_RECONNECT_TRIES, reconnectDelayMs } from './reconnect'

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed'

export interface SocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface StatusInfo {
  state: ConnectionState
  /** reconnect tries used so far since the last successful open */
  attempt: number
  maxAttempts: number
  /** when state is 'reconnecting': ms until the next try */
  retryInMs: number | null
  /** when state is 'reconnecting': epoch ms of the next try */
  retryAt: number | null
  /** close code and reason of the last drop (4008 too slow, 1008 policy) */
  lastClose: { code: number; reason: string } | null
}

export interface MarketSocketOptions {
  url: string
  topics: string[]
  onMessage: (msg: ServerMessage) => void
  onStatus?: (status: StatusInfo) => void
  /** after every successful open; `reconnected` is false only for the first */
  onOpen?: (reconnected: boolean) => void
  /** a book topic skipped seq numbers: its snapshot must be re-fetched */
  onGap?: (topic: string) => void
  onProtocolError?: (error: string) => void
  createSocket?: (url: string) => SocketLike
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  now?: () => number
  /** keep-alive ping period in ms (the server drops a client idle for 60 s); 0 disables */
  pingIntervalMs?: number
  /** reconnect tries before giving up (default 10) */
  maxAttempts?: number
}

const OPEN = 1

/** ws:// or wss:// URL of `/ws` on the page's own host. */
export function wsUrl(loc: { protocol: string; host: string }, path = '/ws'): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${loc.host}${path}`
}

function closeInfo(ev: unknown): { code: number; reason: string } {
  const e = ev as { code?: unknown; reason?: unknown } | null
  return {
    code: typeof e?.code === 'number' ? e.code : 1006,
    reason: typeof e?.reason === 'string' ? e.reason : '',
  }
}

export class MarketSocket {
  private socket: SocketLike | null = null
  private attempt = 0
  private opens = 0
  private retryTimer: unknown = null
  private pingTimer: unknown = null
  private stopped = false
  private lastClose: StatusInfo['lastClose'] = null
  private readonly topics: Set<string>
  private readonly seq = new SeqTracker()
  private readonly opts: Required<
    Pick<
      MarketSocketOptions,
      'createSocket' | 'setTimer' | 'clearTimer' | 'pingIntervalMs' | 'now' | 'maxAttempts'
    >
  > &
    MarketSocketOptions

  state: ConnectionState = 'closed'

  constructor(opts: MarketSocketOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      now: () => Date.now(),
      pingIntervalMs: 20_000,
      maxAttempts: MAX_RECONNECT_TRIES,
      ...opts,
    }
    this.topics = new Set(opts.topics)
  }

  /** Messages lost between seq numbers (book topics), counted since start. */
  get missed(): number {
    return this.seq.gaps
  }

  setMaxAttempts(n: number): void {
    this.opts.maxAttempts = n
  }

  start(): void {
    this.stopped = false
    this.attempt = 0
    this.connect('connecting')
  }

  stop(): void {
    this.stopped = true
    this.clearTimers()
    const s = this.socket
    this.socket = null
    if (s) {
      s.onopen = s.onclose = s.onerror = s.onmessage = null
      s.close(1000, 'bye')
    }
    this.setState('closed', null)
  }

  /** Try again now (after 'failed', or to skip a pending backoff). */
  retryNow(): void {
    this.stop()
    this.start()
  }

  /** Add topics; sent at once when connected, and on every (re)connect. */
  subscribe(topics: string[]): void {
    const fresh = topics.filter((t) => !this.topics.has(t))
    for (const t of fresh) this.topics.add(t)
    if (fresh.length && this.isOpen()) this.socket?.send(subscribeFrame(fresh))
  }

  unsubscribe(topics: string[]): void {
    const gone = topics.filter((t) => this.topics.delete(t))
    for (const t of gone) this.seq.forget(t)
    if (gone.length && this.isOpen()) this.socket?.send(unsubscribeFrame(gone))
  }

  private isOpen(): boolean {
    return this.state === 'open' && this.socket !== null && this.socket.readyState === OPEN
  }

  private connect(state: ConnectionState): void {
    this.setState(state, null)
    let s: SocketLike
    try {
      s = this.opts.createSocket(this.opts.url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = s
    s.onopen = () => {
      this.attempt = 0
      this.seq.reset()
      if (this.topics.size) s.send(subscribeFrame([...this.topics]))
      this.startPing()
      this.setState('open', null)
      this.opens += 1
      this.opts.onOpen?.(this.opens > 1)
    }
    s.onmessage = (ev) => this.receive(ev.data)
    s.onerror = () => {
      // a close event always follows; reconnecting is handled there
    }
    s.onclose = (ev) => {
      if (this.socket !== s) return
      this.socket = null
      this.lastClose = closeInfo(ev)
      this.clearTimers()
      if (!this.stopped) this.scheduleReconnect()
    }
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return
    const res = parseServerMessage(raw)
    if (!res.ok) {
      this.opts.onProtocolError?.(res.error)
      return
    }
    const msg = res.message
    if (msg.type === 'tick' || msg.type === 'data') {
      if (!this.topics.has(msg.topic)) return // arrived after an unsubscribe
      const verdict = this.seq.judge(msg.topic, msg.seq, msg.snapshot)
      if (verdict === 'duplicate') return
      this.opts.onMessage(msg)
      if (verdict === 'gap') this.opts.onGap?.(msg.topic)
      return
    }
    this.opts.onMessage(msg)
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelayMs(this.attempt, this.opts.maxAttempts)
    if (delay === null) {
      this.setState('failed', null)
      return
    }
    this.attempt += 1
    this.setState('reconnecting', delay)
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null
      if (!this.stopped) this.connect('reconnecting')
    }, delay)
  }

  private startPing(): void {
    if (this.opts.pingIntervalMs <= 0) return
    const tick = (): void => {
      if (this.socket && this.socket.readyState === OPEN) this.socket.send(pingFrame())
      this.pingTimer = this.opts.setTimer(tick, this.opts.pingIntervalMs)
    }
    this.pingTimer = this.opts.setTimer(tick, this.opts.pingIntervalMs)
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer)
    if (this.pingTimer !== null) this.opts.clearTimer(this.pingTimer)
    this.retryTimer = null
    this.pingTimer = null
  }

  private setState(state: ConnectionState, retryInMs: number | null): void {
    this.state = state
    this.opts.onStatus?.({
      state,
      attempt: this.attempt,
      maxAttempts: this.opts.maxAttempts,
      retryInMs,
      retryAt: retryInMs === null ? null : this.opts.now() + retryInMs,
      lastClose: this.lastClose,
    })
  }
}
