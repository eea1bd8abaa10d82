// The equity curve's running peak and drawdown, for the shaded chart.

export interface EquityPoint {
  t: number
  balance: number
}

export interface Drawdown {
  /** running maximum of the balance at each point */
  peak: number[]
  /** peak - balance at each point (>= 0) */
  depth: number[]
  /** the largest depth, and its fraction of the peak it fell from */
  max: { amount: number; fraction: number }
}

export function drawdown(points: readonly EquityPoint[]): Drawdown {
  const peak: number[] = []
  const depth: number[] = []
  let hi = -Infinity
  let max = { amount: 0, fraction: 0 }
  for (const p of points) {
    hi = Math.max(hi, p.balance)
    const d = hi - p.balance
    peak.push(hi)
    depth.push(d)
    if (d > max.amount) max = { amount: d, fraction: hi > 0 ? d / hi : 0 }
  }
  return { peak, depth, max }
}

/** Equity rows from the API ({balance, update_time}) as chart points, oldest first. */
export function readEquity(rows: unknown): EquityPoint[] {
  if (!Array.isArray(rows)) return []
  const out: EquityPoint[] = []
  for (const r of rows) {
    if (typeof r !== 'object' || r === null) continue
    const o = r as Record<string, unknown>
    const t = Date.parse(String(o.update_time ?? o.time ?? o.datetime ?? ''))
    const balance = Number(o.balance)
    if (Number.isFinite(t) && Number.isFinite(balance)) out.push({ t, balance })
  }
  return out.sort((a, b) => a.t - b.t)
}

/** `since` for a range button: ISO instant `days` before now, or null for everything. */
export function rangeSince(days: number | null, now: number): string | null {
  return days === null ? null : new Date(now - days * 86_400_000).toISOString()
}
