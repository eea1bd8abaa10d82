// Parsing of the server's WebSocket messages (see DESIGN.md, "WebSocket").
// Prices and money arrive as JSON strings so no precision is lost; they stay
// strings here and are only formatted for display.
import type { components } from '../api/schema'

/** The fields of the API's tick (src/api/schema.d.ts) that the console reads and
 * `parseTick` checks: `timestamp` is epoch milliseconds, `datetime` ISO 8601 with offset. */
export type Tick = Pick<
  components['schemas']['Tick'],
  | 'symbol'
  | 'timestamp'
  | 'datetime'
  | 'trading_day'
  | 'last_price'
  | 'bid_price'
  | 'ask_price'
  | 'high_price'
  | 'low_price'
  | 'open_price'
  | 'pre_settlement'
  | 'limit_up'
  | 'limit_down'
  | 'turnover'
  | 'volume'
  | 'bid_volume'
  | 'ask_volume'
  | 'open_interest'
>

export type ServerMessage =
  | { type: 'tick'; topic: string; seq: number; snapshot: boolean; data: Tick }
  | { type: 'data'; kind: string; topic: string; seq: number; snapshot: boolean; data: unknown }
  | { type: 'ack'; op?: string; topics?: string[] }
  | { type: 'pong' }
  | { type: 'error'; message: string }
  | { type: 'other'; rawType: string; data?: unknown }

export type ParseResult = { ok: true; message: ServerMessage } | { ok: false; error: string }

const DECIMAL_FIELDS = [
  'last_price',
  'bid_price',
  'ask_price',
  'high_price',
  'low_price',
  'open_price',
  'pre_settlement',
  'limit_up',
  'limit_down',
  'turnover',
] as const

const INT_FIELDS = ['volume', 'bid_volume', 'ask_volume', 'open_interest'] as const

const DECIMAL_RE = /^-?\d+(\.\d+)?$/

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A decimal carried as a string ("912.34"); a finite JSON number is accepted too. */
function asDecimal(v: unknown): string | null {
  if (typeof v === 'string' && DECIMAL_RE.test(v.trim())) return v.trim()
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return null
}

function asInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v)
    return Number.isSafeInteger(n) ? n : null
  }
  return null
}

/** Validate a tick's `data`; returns an error string naming the first bad field. */
export function parseTick(data: unknown): { ok: true; tick: Tick } | { ok: false; error: string } {
  if (!isRecord(data)) return { ok: false, error: 'tick data is not an object' }
  if (typeof data.symbol !== 'string' || data.symbol === '') {
    return { ok: false, error: 'tick.symbol missing' }
  }
  const timestamp = asInt(data.timestamp)
  if (timestamp === null) return { ok: false, error: 'tick.timestamp is not epoch ms' }
  const tick: Record<string, unknown> = {
    symbol: data.symbol,
    timestamp,
    datetime: typeof data.datetime === 'string' ? data.datetime : new Date(timestamp).toISOString(),
    trading_day: typeof data.trading_day === 'string' ? data.trading_day : '',
  }
  for (const f of DECIMAL_FIELDS) {
    const v = asDecimal(data[f])
    if (v === null) return { ok: false, error: `tick.${f} is not a decimal` }
    tick[f] = v
  }
  for (const f of INT_FIELDS) {
    const v = asInt(data[f])
    if (v === null) return { ok: false, error: `tick.${f} is not an integer` }
    tick[f] = v
  }
  return { ok: true, tick: tick as unknown as Tick }
}

/** Parse one text frame from `/ws`. Never throws. */
export function parseServerMessage(raw: string): ParseResult {
  let obj: unknown
  try {
    obj = JSON.parse(raw)
  } catch {
    return { ok: false, error: 'not JSON' }
  }
  if (!isRecord(obj) || typeof obj.type !== 'string') {
    return { ok: false, error: 'message has no type' }
  }
  switch (obj.type) {
    case 'tick': {
      if (typeof obj.topic !== 'string') return { ok: false, error: 'tick without topic' }
      const seq = asInt(obj.seq)
      if (seq === null) return { ok: false, error: 'tick without seq' }
      const parsed = parseTick(obj.data)
      if (!parsed.ok) return parsed
      return {
        ok: true,
        message: { type: 'tick', topic: obj.topic, seq, snapshot: obj.snapshot === true, data: parsed.tick },
      }
    }
    case 'ack': {
      const msg: ServerMessage = { type: 'ack' }
      if (typeof obj.op === 'string') msg.op = obj.op
      if (Array.isArray(obj.topics)) {
        msg.topics = obj.topics.filter((t): t is string => typeof t === 'string')
      }
      return { ok: true, message: msg }
    }
    case 'pong':
      return { ok: true, message: { type: 'pong' } }
    case 'error':
      return {
        ok: true,
        message: {
          type: 'error',
          message: typeof obj.message === 'string' ? obj.message : 'unknown error',
        },
      }
    default: {
      const seq = asInt(obj.seq)
      if (typeof obj.topic === 'string' && seq !== null) {
        const snapshot = obj.snapshot === true
        return {
          ok: true,
          message: { type: 'data', kind: obj.type, topic: obj.topic, seq, snapshot, data: obj.data },
        }
      }
      return { ok: true, message: { type: 'other', rawType: obj.type, data: obj.data } }
    }
  }
}

export function tickTopic(symbol: string): string {
  return `tick:${symbol}`
}

export function subscribeFrame(topics: string[]): string {
  return JSON.stringify({ op: 'subscribe', topics })
}

export function pingFrame(): string {
  return JSON.stringify({ op: 'ping' })
}

export function unsubscribeFrame(topics: string[]): string {
  return JSON.stringify({ op: 'unsubscribe', topics })
}

/** Ticks are conflated per client by the server: a jump in their seq is not a loss. */
export function isConflatedTopic(topic: string): boolean {
  return topic.startsWith('tick:')
}

/** What to do with a topic message, judged by its seq. */
export type SeqVerdict = 'deliver' | 'duplicate' | 'gap'

/**
 * Tracks the per-topic `seq`. A snapshot sets the baseline; a later message
 * must carry the next number. A message at or below the last seen is a
 * duplicate; a jump is a gap (the page must re-fetch), except on conflated
 * topics. The first message of a topic without a snapshot sets the baseline.
 */
export class SeqTracker {
  private last = new Map<string, number>()
  gaps = 0

  judge(topic: string, seq: number, snapshot = false): SeqVerdict {
    const prev = this.last.get(topic)
    if (snapshot || prev === undefined) {
      this.last.set(topic, seq)
      return 'deliver'
    }
    if (seq <= prev) return 'duplicate'
    this.last.set(topic, seq)
    if (seq > prev + 1 && !isConflatedTopic(topic)) {
      this.gaps += seq - prev - 1
      return 'gap'
    }
    return 'deliver'
  }

  /** Returns false for a duplicate or stale message (seq not above the last seen). */
  accept(topic: string, seq: number): boolean {
    return this.judge(topic, seq) !== 'duplicate'
  }

  forget(topic: string): void {
    this.last.delete(topic)
  }

  /** Forget the history (a new connection starts from new snapshots). */
  reset(): void {
    this.last.clear()
  }
}
