// A WebSocket to `/ws` that subscribes to topics, reconnects on the schedule in
// reconnect.ts and reports its state. The socket and timers are injectable so
// the logic is unit-tested without a browser.

import {
  parseServerMessage,
  pingFrame,
  SeqTracker,
  subscribeFrame,
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
}

export interface MarketSocketOptions {
  url: string
  topics: string[]
  onMessage: (msg: ServerMessage) => void
  onStatus?: (status: StatusInfo) => void
  onProtocolError?: (error: string) => void
  createSocket?: (url: string) => SocketLike
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
  /** keep-alive ping period in ms; 0 disables */
  pingIntervalMs?: number
}

const OPEN = 1

/** ws:// or wss:// URL of `/ws` on the page's own host. */
export function wsUrl(loc: { protocol: string; host: string }, path = '/ws'): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${loc.host}${path}`
}

export class MarketSocket {
  private socket: SocketLike | null = null
  private attempt = 0
  private retryTimer: unknown = null
  private pingTimer: unknown = null
  private stopped = false
  private readonly seq = new SeqTracker()
  private readonly opts: Required<
    Pick<MarketSocketOptions, 'createSocket' | 'setTimer' | 'clearTimer' | 'pingIntervalMs'>
  > &
    MarketSocketOptions

  state: ConnectionState = 'closed'

  constructor(opts: MarketSocketOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      pingIntervalMs: 30_000,
      ...opts,
    }
  }

  /** Messages lost between seq numbers (per topic), counted since start. */
  get missed(): number {
    return this.seq.gaps
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
      s.send(subscribeFrame(this.opts.topics))
      this.startPing()
      this.setState('open', null)
    }
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return
      const res = parseServerMessage(ev.data)
      if (!res.ok) {
        this.opts.onProtocolError?.(res.error)
        return
      }
      const msg = res.message
      if (msg.type === 'tick' && !this.seq.accept(msg.topic, msg.seq)) return
      this.opts.onMessage(msg)
    }
    s.onerror = () => {
      // a close event always follows; reconnecting is handled there
    }
    s.onclose = () => {
      if (this.socket !== s) return
      this.socket = null
      this.clearTimers()
      if (!this.stopped) this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelayMs(this.attempt)
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
      maxAttempts: MAX_RECONNECT_TRIES,
      retryInMs,
    })
  }
}
