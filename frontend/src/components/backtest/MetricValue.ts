// A metric as the page shows it: ratios as percentages, money with two decimals,
// durations in days, hours and minutes.
import { METRICS } from '../../lib/backtests'
import { formatDuration, formatRatio } from '../../lib/format'

export function showMetric(key: string, value: number | null): string {
  if (value === null) return '—'
  const kind = METRICS.find((m) => m.key === key)?.kind ?? 'number'
  if (kind === 'ratio') return formatRatio(value)
  if (kind === 'seconds') return formatDuration(value)
  if (kind === 'money') return value.toFixed(2)
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}
