import { describe, expect, it } from 'vitest'

import {
  anyRunning,
  asReturns,
  betterOf,
  curvePoints,
  drawdownDepth,
  fieldErrors,
  fillMarks,
  heatmap,
  listRows,
  noteTexts,
  parseParams,
  rankRuns,
  type RunSummary,
  sweepAxes,
} from './backtests'

function run(id: string, params: Record<string, unknown>, metrics: Record<string, unknown> | null, sweep: string | null = null): RunSummary {
  return {
    run_id: id,
    sweep_id: sweep,
    strategy: 'ma',
    symbol: 'au2612',
    params,
    mode: 'ticks',
    data_from: null,
    data_to: null,
    fill_model: {},
    capital: '1000000.00',
    status: metrics ? 'done' : 'running',
    progress: metrics ? 1 : 0.3,
    error: null,
    code_version: 'x',
    ticks: 10,
    elapsed_s: 1,
    metrics,
    created_at: '2026-06-01T01:00:00Z',
    finished_at: null,
  }
}

describe('fieldErrors', () => {
  it('puts a refusal next to the field it names', () => {
    const body = { detail: 'strategy: no strategy', errors: [{ loc: ['body', 'strategy'], msg: 'no strategy named x', type: 'value_error' }] }
    expect(fieldErrors(body, 'fallback')).toEqual({ strategy: 'no strategy named x' })
  })

  it('keeps the path inside a field and joins two errors of one field', () => {
    const body = {
      errors: [
        { loc: ['body', 'params', 'fast'], msg: 'too small', type: 'x' },
        { loc: ['body', 'params', 'slow'], msg: 'missing', type: 'x' },
      ],
    }
    expect(fieldErrors(body, 'f')).toEqual({ params: 'fast: too small; slow: missing' })
  })

  it('shows what names no field of the form as a whole-form error', () => {
    expect(fieldErrors({ detail: 'two running' }, 'two running')).toEqual({ form: 'two running' })
    expect(fieldErrors({ errors: [{ loc: ['body', 'grid'], msg: 'extra', type: 'x' }] }, 'f')).toEqual({ form: 'extra' })
  })
})

describe('parseParams', () => {
  it('reads a JSON object and refuses anything else', () => {
    expect(parseParams('{"fast": 5}')).toEqual({ params: { fast: 5 } })
    expect(parseParams('  ')).toEqual({ params: {} })
    expect('error' in parseParams('[1]')).toBe(true)
    expect('error' in parseParams('fast=5')).toBe(true)
  })
})

describe('series', () => {
  const series = {
    curve: [
      ['2026-06-01T01:00:00+00:00', '1000000.00'],
      ['2026-06-01T01:01:00+00:00', '1000500.00'],
      ['2026-06-01T01:02:00+00:00', '999800.00'],
      ['bad', 'x'],
    ],
    fills: [
      { trade_id: '1', datetime: '2026-06-01T01:00:30+00:00', side: 'buy', offset: 'open', price: '560.02', volume: 1, realized_pnl: '0' },
      { trade_id: '2', datetime: '2026-06-01T01:01:30+00:00', side: 'sell', offset: 'close_today', price: '560.52', volume: 1, realized_pnl: '500' },
    ],
  }

  it('reads the curve, skipping unreadable points', () => {
    expect(curvePoints(series).map((p) => p.v)).toEqual([1000000, 1000500, 999800])
  })

  it('measures the drawdown from the running peak', () => {
    expect(drawdownDepth(curvePoints(series))).toEqual([0, 0, -700])
  })

  it('turns fills into marks with side and offset', () => {
    const marks = fillMarks(series)
    expect(marks.map((m) => [m.side, m.offset, m.price])).toEqual([
      ['buy', 'open', 560.02],
      ['sell', 'close_today', 560.52],
    ])
  })

  it('expresses equity as return on capital', () => {
    expect(asReturns(curvePoints(series), 1_000_000).map((p) => p.v)).toEqual([0, 0.0005, -0.0002].map((x) => expect.closeTo(x, 12)))
    expect(asReturns(curvePoints(series), 0)).toEqual([])
  })
})

describe('comparing and ranking', () => {
  it('marks the better of two values by the metric’s direction', () => {
    expect(betterOf('sharpe', 1.2, 0.8)).toBe('a')
    expect(betterOf('max_drawdown_pct', 0.05, 0.02)).toBe('b')
    expect(betterOf('sharpe', null, 0.8)).toBeNull()
    expect(betterOf('trades_per_day', 3, 4)).toBeNull()
  })

  it('ranks best first, lower drawdown first, undefined last', () => {
    const runs = [run('a', {}, { sharpe: 0.5, max_drawdown_pct: 0.1 }), run('b', {}, { sharpe: null, max_drawdown_pct: 0.3 }), run('c', {}, { sharpe: 1.5, max_drawdown_pct: 0.2 })]
    expect(rankRuns(runs, 'sharpe').map((r) => r.run_id)).toEqual(['c', 'a', 'b'])
    expect(rankRuns(runs, 'max_drawdown_pct').map((r) => r.run_id)).toEqual(['a', 'c', 'b'])
  })
})

describe('sweeps', () => {
  const sweep = [
    run('1', { fast: 3, slow: 20, size: 1 }, { sharpe: 0.1 }, 's'),
    run('2', { fast: 5, slow: 20, size: 1 }, { sharpe: 0.2 }, 's'),
    run('3', { fast: 3, slow: 30, size: 1 }, { sharpe: 0.3 }, 's'),
    run('4', { fast: 5, slow: 30, size: 1 }, { sharpe: null }, 's'),
  ]

  it('finds the grid’s axes: the parameters that vary', () => {
    expect(sweepAxes(sweep)).toEqual(['fast', 'slow'])
  })

  it('lays the metric out over two axes, leaving undefined cells out', () => {
    const map = heatmap(sweep, 'fast', 'slow', 'sharpe')
    expect(map.x).toEqual(['3', '5'])
    expect(map.y).toEqual(['20', '30'])
    expect(map.cells).toEqual([
      [0, 0, 0.1],
      [1, 0, 0.2],
      [0, 1, 0.3],
    ])
  })

  it('orders numeric axis values by value, not as text', () => {
    const runs = [run('1', { fast: 10 }, { sharpe: 1 }, 's'), run('2', { fast: 9 }, { sharpe: 1 }, 's')]
    expect(heatmap(runs, 'fast', null, 'sharpe').x).toEqual(['9', '10'])
  })

  it('lists a sweep as one row and single runs as their own', () => {
    const rows = listRows([run('x', {}, null), ...sweep, run('y', {}, { sharpe: 1 })])
    expect(rows.map((r) => [r.key, r.sweep?.length ?? 0])).toEqual([
      ['x', 0],
      ['sweep-s', 4],
      ['y', 0],
    ])
    expect(anyRunning(rows.map((r) => r.run))).toBe(true)
    expect(anyRunning(sweep.slice(0, 3))).toBe(false)
  })
})

describe('noteTexts', () => {
  const open = { code: 'open_at_end', params: { long: 2, short: 0, price: '512.34' } }

  it('words a note in the console language', () => {
    expect(noteTexts({ notes: [open] }, 'zh')).toEqual(['结束时仍持有的仓位（多 2 手，空 0 手）按最新价 512.34 估值'])
    expect(noteTexts({ notes: [open] }, 'en')).toEqual([
      'Positions still open at the end (long 2, short 0) are valued at the last price, 512.34',
    ])
  })

  it('shows a plain sentence of a run stored before notes had codes as written', () => {
    const old = 'positions still open at the end are valued at the last price'
    expect(noteTexts({ notes: [old] }, 'zh')).toEqual([old])
    expect(noteTexts({ notes: [{ code: 'text', params: { text: old } }] }, 'zh')).toEqual([old])
  })

  it('shows a code it does not know with its values and skips what is no note', () => {
    expect(noteTexts({ notes: [{ code: 'gap', params: { minutes: 5 } }, 7, null, {}] }, 'zh')).toEqual(['gap minutes=5'])
    expect(noteTexts({}, 'en')).toEqual([])
  })
})
