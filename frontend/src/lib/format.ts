// Number and time formatting for display. Prices arrive as decimal strings and
// are never turned into floats here.

export const PLACEHOLDER = '—'

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/

function groupThousands(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * Format a decimal string: optional thousands separators and a fixed number of
 * decimals (padded, or rounded half away from zero). Bad input gives PLACEHOLDER.
 */
export function formatDecimal(
  value: string | null | undefined,
  opts: { decimals?: number; group?: boolean } = {},
): string {
  if (value === null || value === undefined) return PLACEHOLDER
  const m = DECIMAL_RE.exec(value.trim())
  if (!m) return PLACEHOLDER
  const sign = m[1] ?? ''
  let intPart = (m[2] ?? '0').replace(/^0+(?=\d)/, '')
  let frac = m[3] ?? ''
  if (opts.decimals !== undefined) {
    const d = opts.decimals
    if (frac.length > d) {
      const roundUp = (frac.charCodeAt(d) - 48) >= 5
      frac = frac.slice(0, d)
      if (roundUp) {
        const scaled = (BigInt(intPart + frac) + 1n).toString().padStart(intPart.length + d, '0')
        intPart = scaled.slice(0, scaled.length - d) || '0'
        frac = scaled.slice(scaled.length - d)
      }
    } else {
      frac = frac.padEnd(d, '0')
    }
  }
  const isZero = /^0*$/.test(intPart + frac)
  const body = (opts.group ? groupThousands(intPart) : intPart) + (frac ? `.${frac}` : '')
  return (isZero ? '' : sign) + body
}

/** Gold (au) prices: two decimals. */
export function formatPrice(value: string | null | undefined): string {
  return formatDecimal(value, { decimals: 2, group: true })
}

export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return PLACEHOLDER
  return Math.trunc(value).toLocaleString('en-US')
}

/** Exact a - b for decimal strings; null when either is not a decimal. */
export function subtractDecimal(a: string, b: string): string | null {
  const ma = DECIMAL_RE.exec(a.trim())
  const mb = DECIMAL_RE.exec(b.trim())
  if (!ma || !mb) return null
  const scale = Math.max((ma[3] ?? '').length, (mb[3] ?? '').length)
  const toScaled = (m: RegExpExecArray): bigint => {
    const digits = (m[2] ?? '0') + (m[3] ?? '').padEnd(scale, '0')
    return (m[1] === '-' ? -1n : 1n) * BigInt(digits)
  }
  const diff = toScaled(ma) - toScaled(mb)
  const neg = diff < 0n
  const digits = (neg ? -diff : diff).toString().padStart(scale + 1, '0')
  const intPart = digits.slice(0, digits.length - scale)
  const frac = digits.slice(digits.length - scale)
  return (neg ? '-' : '') + intPart + (scale > 0 ? `.${frac}` : '')
}

/** Sign of a decimal string: -1, 0 or 1 (0 for bad input). */
export function decimalSign(value: string | null | undefined): -1 | 0 | 1 {
  if (!value) return 0
  const m = DECIMAL_RE.exec(value.trim())
  if (!m || /^0*$/.test((m[2] ?? '') + (m[3] ?? ''))) return 0
  return m[1] === '-' ? -1 : 1
}

/** Exchange time of a tick, shown in Asia/Shanghai: "HH:MM:SS.mmm". */
export function formatTickTime(epochMs: number | null | undefined, timeZone = 'Asia/Shanghai'): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return PLACEHOLDER
  const d = new Date(epochMs)
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d)
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00'
  const ms = String(((epochMs % 1000) + 1000) % 1000).padStart(3, '0')
  return `${get('hour')}:${get('minute')}:${get('second')}.${ms}`
}

/** Money: two decimals with thousands separators ("1,000,090.00"). */
export function formatMoney(value: string | null | undefined): string {
  return formatDecimal(value, { decimals: 2, group: true })
}

/** A signed amount: "+180.00", "-360.00", "0.00". */
export function formatSigned(value: string | null | undefined, decimals = 2): string {
  const body = formatDecimal(value, { decimals, group: true })
  if (body === PLACEHOLDER) return body
  return decimalSign(value) > 0 ? `+${body}` : body
}

/** An average price: the tick's two decimals, more only when the average needs them (at most 4). */
export function formatAvgPrice(value: string | null | undefined): string {
  const four = formatDecimal(value, { decimals: 4, group: true })
  if (four === PLACEHOLDER) return four
  return four.replace(/(\.\d\d\d*?)0+$/, '$1')
}

/** The CSS tone of a P&L or change: 'up' (> 0), 'down' (< 0) or '' (zero, unknown). */
export function pnlTone(value: string | null | undefined): 'up' | 'down' | '' {
  const s = decimalSign(value)
  return s > 0 ? 'up' : s < 0 ? 'down' : ''
}

/** (a - b) / b as a signed percentage with two decimals ("+1.23%"); display only. */
export function changePercent(last: string | null | undefined, base: string | null | undefined): string {
  if (!last || !base) return PLACEHOLDER
  const diff = subtractDecimal(last, base)
  const b = Number(base)
  if (diff === null || !Number.isFinite(b) || b === 0) return PLACEHOLDER
  const pct = (Number(diff) / b) * 100
  const text = pct.toFixed(2)
  if (/^-?0\.00$/.test(text)) return '0.00%'
  return `${pct > 0 ? '+' : ''}${text}%`
}

/** A ratio (0.625 or "0.625") as a percentage ("62.50%"). */
export function formatRatio(value: string | number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || value === '') return PLACEHOLDER
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n)) return PLACEHOLDER
  return `${(n * 100).toFixed(decimals)}%`
}

const DATETIME_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** An ISO 8601 instant in exchange time (Asia/Shanghai): "2026-11-23 04:58:28". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return PLACEHOLDER
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) return PLACEHOLDER
  const parts = DATETIME_FORMAT.formatToParts(new Date(ms))
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00'
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`
}

/** Seconds as "3d 4h 5m" / "4h 5m" / "5m 6s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return PLACEHOLDER
  }
  const s = Math.floor(seconds)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d}d ${h}h ${m}m`
  if (h > 0) return `${h}h ${m}m`
  return `${m}m ${s % 60}s`
}

/**
 * The SHFE gold session at an instant: day (09:00-10:15, 10:30-11:30,
 * 13:30-15:00), night (21:00-02:30) or closed, in exchange time. Weekends and
 * holidays are not known here (the server's trading day is).
 */
export function sessionAt(epochMs: number): 'day' | 'night' | 'closed' {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(epochMs))
  const hh = Number(parts.find((p) => p.type === 'hour')?.value ?? '0')
  const mm = Number(parts.find((p) => p.type === 'minute')?.value ?? '0')
  const t = hh * 60 + mm
  const within = (a: number, b: number): boolean => t >= a && t < b
  if (within(540, 615) || within(630, 690) || within(810, 900)) return 'day'
  if (t >= 1260 || t < 150) return 'night'
  return 'closed'
}
