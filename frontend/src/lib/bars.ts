// 1-minute bars for the intraday chart: read the server's bars forgivingly and
// keep the forming bar up to date from ticks. Prices become numbers here
// because they only feed the chart; the quote board shows the exact strings.

export interface ChartBar {
  /** epoch ms of the bar's minute start */
  t: number
  open: number
  high: number
  low: number
  close: number
  volume: number
}

const MINUTE = 60_000

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return null
}

function time(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string') {
    const ms = Date.parse(v)
    return Number.isFinite(ms) ? ms : null
  }
  return null
}

/** One bar from the REST answer or the bar topic; null when it is not a bar. */
export function readBar(raw: unknown): ChartBar | null {
  if (typeof raw !== 'object' || raw === null) return null
  const o = raw as Record<string, unknown>
  const t = time(o.start ?? o.datetime ?? o.start_time ?? o.time ?? o.timestamp)
  const open = num(o.open ?? o.open_price)
  const high = num(o.high ?? o.high_price)
  const low = num(o.low ?? o.low_price)
  const close = num(o.close ?? o.close_price)
  if (t === null || open === null || high === null || low === null || close === null) return null
  return { t: Math.floor(t / MINUTE) * MINUTE, open, high, low, close, volume: num(o.volume) ?? 0 }
}

/** Bars from a REST answer (a list, or {items|bars: list}), sorted and unique per minute. */
export function readBars(body: unknown): ChartBar[] {
  const list = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null
      ? ((body as { items?: unknown; bars?: unknown }).items ?? (body as { bars?: unknown }).bars)
      : null
  if (!Array.isArray(list)) return []
  const byMinute = new Map<number, ChartBar>()
  for (const raw of list) {
    const b = readBar(raw)
    if (b) byMinute.set(b.t, b)
  }
  return [...byMinute.values()].sort((a, b) => a.t - b.t)
}

export interface TickPoint {
  timestamp: number
  last_price: string
  /** cumulative volume of the trading day */
  volume: number
}

/**
 * Fold a tick into the bars (in place, returns the same array): it updates the
 * bar of its minute or opens the next one. A tick older than the last bar is
 * ignored. `prevVolume` is the cumulative volume at the previous tick, for the
 * bar's own volume.
 */
export function foldTick(bars: ChartBar[], tick: TickPoint, prevVolume: number | null, max = 600): ChartBar[] {
  const price = Number(tick.last_price)
  if (!Number.isFinite(price)) return bars
  const t = Math.floor(tick.timestamp / MINUTE) * MINUTE
  const delta = prevVolume === null ? 0 : Math.max(0, tick.volume - prevVolume)
  const last = bars[bars.length - 1]
  if (last && t < last.t) return bars
  if (last && t === last.t) {
    last.close = price
    last.high = Math.max(last.high, price)
    last.low = Math.min(last.low, price)
    last.volume += delta
  } else {
    bars.push({ t, open: price, high: price, low: price, close: price, volume: delta })
    if (bars.length > max) bars.splice(0, bars.length - max)
  }
  return bars
}

/** Put a closed bar from the server in its place (replacing the locally built one). */
export function placeBar(bars: ChartBar[], bar: ChartBar): ChartBar[] {
  const i = bars.findIndex((b) => b.t === bar.t)
  if (i >= 0) bars[i] = bar
  else {
    bars.push(bar)
    bars.sort((a, b) => a.t - b.t)
  }
  return bars
}
