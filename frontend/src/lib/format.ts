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
