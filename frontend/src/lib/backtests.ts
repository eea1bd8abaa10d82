// The Backtest page's logic: the form's field errors from a refusal, the series of a
// run as chart points, the metrics two runs are compared on, and a sweep's ranking
// and heatmap cells. Shapes from the OpenAPI document (src/api/schema.d.ts).
import type { components } from '../api/schema'
import { translate, type Lang } from './i18n'

type Schemas = components['schemas']

export type RunSummary = Schemas['RunSummary']
export type RunDetail = Schemas['RunDetail']

/** The form's fields, as the API names them. */
export const FORM_FIELDS = ['strategy', 'params', 'symbol', 'first', 'last', 'mode', 'capital', 'latency_ms', 'slippage_ticks'] as const
export type FormField = (typeof FORM_FIELDS)[number]

/** The message for each field a 422 names (`errors[].loc` = ["body", field, ...]);
 * what names no field of the form goes under `form`. */
export function fieldErrors(body: unknown, fallback: string): Partial<Record<FormField | 'form', string>> {
  const out: Partial<Record<FormField | 'form', string>> = {}
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : null
  if (Array.isArray(errors)) {
    for (const e of errors as { loc?: unknown; msg?: unknown }[]) {
      const loc = Array.isArray(e.loc) ? e.loc.filter((x) => x !== 'body') : []
      const name = String(loc[0] ?? '')
      const key: FormField | 'form' = (FORM_FIELDS as readonly string[]).includes(name) ? (name as FormField) : 'form'
      const msg = typeof e.msg === 'string' ? e.msg : fallback
      const text = loc.length > 1 && key !== 'form' ? `${loc.slice(1).join('.')}: ${msg}` : msg
      out[key] = out[key] ? `${out[key]}; ${text}` : text
    }
  }
  if (!Object.keys(out).length) out.form = fallback
  return out
}

/** The parameters typed in the form as JSON text: an object, or an error to show. */
export function parseParams(text: string): { params: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { params: {} }
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return { params: value as Record<string, unknown> }
    }
  } catch {
    // falls through to the message below
  }
  return { error: 'JSON object expected, e.g. {"fast": 5, "slow": 20}' }
}

export interface Point {
  t: number
  v: number
}

/** The equity curve of a run's series (`curve`: [[time, balance], ...]). */
export function curvePoints(series: Record<string, unknown>): Point[] {
  return pairs(series.curve)
}

/** The 1-minute closes a run's entries and exits are drawn on. */
export function pricePoints(series: Record<string, unknown>): Point[] {
  return pairs(series.prices)
}

function pairs(rows: unknown): Point[] {
  if (!Array.isArray(rows)) return []
  const out: Point[] = []
  for (const row of rows) {
    if (!Array.isArray(row)) continue
    const t = Date.parse(String(row[0]))
    const v = Number(row[1])
    if (Number.isFinite(t) && Number.isFinite(v)) out.push({ t, v })
  }
  return out
}

export interface FillMark {
  t: number
  price: number
  side: 'buy' | 'sell'
  offset: string
  volume: number
  pnl: number
}

/** The run's fills as marks on the price chart. */
export function fillMarks(series: Record<string, unknown>): FillMark[] {
  const rows = series.fills
  if (!Array.isArray(rows)) return []
  const out: FillMark[] = []
  for (const f of rows as Record<string, unknown>[]) {
    const t = Date.parse(String(f.datetime))
    const price = Number(f.price)
    if (!Number.isFinite(t) || !Number.isFinite(price)) continue
    out.push({
      t,
      price,
      side: f.side === 'sell' ? 'sell' : 'buy',
      offset: String(f.offset ?? ''),
      volume: Number(f.volume ?? 0),
      pnl: Number(f.realized_pnl ?? 0),
    })
  }
  return out
}

/** A run's notes (`series.notes`) as text in `lang`. A note is `{code, params}`, worded
 * by `bt.note.<code>`; code `text`, or a plain sentence (a run stored before notes had
 * codes), is shown as written; a code this console does not know, with its values. */
export function noteTexts(series: Record<string, unknown>, lang: Lang): string[] {
  const notes = series.notes
  if (!Array.isArray(notes)) return []
  const out: string[] = []
  for (const note of notes as unknown[]) {
    if (typeof note === 'string') {
      out.push(note)
      continue
    }
    if (typeof note !== 'object' || note === null) continue
    const { code, params } = note as { code?: unknown; params?: unknown }
    if (typeof code !== 'string') continue
    const values: Record<string, string | number> = {}
    if (typeof params === 'object' && params !== null) {
      for (const [k, v] of Object.entries(params)) values[k] = typeof v === 'number' ? v : String(v)
    }
    if (code === 'text') {
      out.push(String(values.text ?? ''))
      continue
    }
    const key = `bt.note.${code}`
    const text = translate(lang, key, values)
    out.push(text === key ? `${code} ${paramsText(values)}`.trim() : text)
  }
  return out
}

/** Depth below the running peak at each point (0 at a new high), in money. */
export function drawdownDepth(points: readonly Point[]): number[] {
  let peak = -Infinity
  return points.map((p) => {
    peak = Math.max(peak, p.v)
    return p.v - peak
  })
}

/** A curve as return on the capital (fractions), so runs of different capital compare. */
export function asReturns(points: readonly Point[], capital: number): Point[] {
  if (!(capital > 0)) return []
  return points.map((p) => ({ t: p.t, v: p.v / capital - 1 }))
}

export type Better = 'higher' | 'lower'

/** The metrics the page shows and compares, and which way is better. */
export const METRICS: readonly { key: string; kind: 'ratio' | 'number' | 'money' | 'seconds'; better?: Better }[] = [
  { key: 'net_pnl', kind: 'money', better: 'higher' },
  { key: 'total_return', kind: 'ratio', better: 'higher' },
  { key: 'annual_return', kind: 'ratio', better: 'higher' },
  { key: 'sharpe', kind: 'number', better: 'higher' },
  { key: 'sortino', kind: 'number', better: 'higher' },
  { key: 'max_drawdown', kind: 'money', better: 'lower' },
  { key: 'max_drawdown_pct', kind: 'ratio', better: 'lower' },
  { key: 'max_drawdown_duration_s', kind: 'seconds', better: 'lower' },
  { key: 'win_rate', kind: 'ratio', better: 'higher' },
  { key: 'profit_factor', kind: 'number', better: 'higher' },
  { key: 'trades_per_day', kind: 'number' },
  { key: 'fills', kind: 'number' },
  { key: 'commission', kind: 'money', better: 'lower' },
  { key: 'trading_days', kind: 'number' },
]

/** The metrics a sweep may be ranked by (docs/backtesting.md, `--rank`). */
export const RANK_METRICS = ['sharpe', 'sortino', 'total_return', 'annual_return', 'max_drawdown_pct', 'win_rate', 'profit_factor'] as const

/** A metric of a run as a number (Decimals come as text), null when undefined. */
export function metricValue(run: RunSummary, key: string): number | null {
  const raw = run.metrics?.[key]
  if (raw === null || raw === undefined || raw === '') return null
  const n = Number(raw)
  return Number.isFinite(n) ? n : null
}

/** Which of two values is better for the metric: 'a', 'b' or null (equal, undefined). */
export function betterOf(key: string, a: number | null, b: number | null): 'a' | 'b' | null {
  const better = METRICS.find((m) => m.key === key)?.better
  if (!better || a === null || b === null || a === b) return null
  return (better === 'higher') === a > b ? 'a' : 'b'
}

/** Runs best first by ``metric``; where it is undefined, last (as the CLI ranks). */
export function rankRuns(runs: readonly RunSummary[], metric: string): RunSummary[] {
  const lower = metric === 'max_drawdown_pct'
  return [...runs].sort((x, y) => {
    const a = metricValue(x, metric)
    const b = metricValue(y, metric)
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1
    return lower ? a - b : b - a
  })
}

/** The parameters whose values differ between a sweep's runs: its grid's axes. */
export function sweepAxes(runs: readonly RunSummary[]): string[] {
  const names = new Set<string>()
  for (const r of runs) for (const k of Object.keys(r.params)) names.add(k)
  return [...names].filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k]))).size > 1).sort()
}

/** Distinct values of a parameter, in order (numbers by value). */
export function axisValues(runs: readonly RunSummary[], name: string): string[] {
  const seen = new Map<string, unknown>()
  for (const r of runs) seen.set(JSON.stringify(r.params[name]), r.params[name])
  return [...seen.entries()]
    .sort(([, a], [, b]) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))))
    .map(([k]) => k)
}

export interface Heatmap {
  x: string[]
  y: string[]
  /** [x index, y index, value]; a combination without the metric is left out */
  cells: [number, number, number][]
}

/** The metric over the grid of two axes (a single axis gives one row). */
export function heatmap(runs: readonly RunSummary[], xAxis: string, yAxis: string | null, metric: string): Heatmap {
  const x = axisValues(runs, xAxis)
  const y = yAxis ? axisValues(runs, yAxis) : ['']
  const cells: [number, number, number][] = []
  for (const r of runs) {
    const v = metricValue(r, metric)
    if (v === null) continue
    const i = x.indexOf(JSON.stringify(r.params[xAxis]))
    const j = yAxis ? y.indexOf(JSON.stringify(r.params[yAxis])) : 0
    if (i >= 0 && j >= 0) cells.push([i, j, v])
  }
  return { x: x.map(label), y: y.map(label), cells }
}

function label(json: string): string {
  if (!json) return ''
  const v: unknown = JSON.parse(json)
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** The page's list: single runs and one row per sweep (its runs kept together). */
export interface ListRow {
  key: string
  run: RunSummary
  sweep: RunSummary[] | null
}

export function listRows(runs: readonly RunSummary[]): ListRow[] {
  const rows: ListRow[] = []
  const sweeps = new Map<string, RunSummary[]>()
  for (const r of runs) {
    if (!r.sweep_id) {
      rows.push({ key: r.run_id, run: r, sweep: null })
      continue
    }
    const members = sweeps.get(r.sweep_id)
    if (members) {
      members.push(r)
    } else {
      const list = [r]
      sweeps.set(r.sweep_id, list)
      rows.push({ key: `sweep-${r.sweep_id}`, run: r, sweep: list })
    }
  }
  return rows
}

/** Whether the list should be asked again soon: a run is still going. */
export function anyRunning(runs: readonly RunSummary[] | null): boolean {
  return !!runs?.some((r) => r.status === 'running')
}

/** Parameters as `k=v` text for a table cell. */
export function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
}
