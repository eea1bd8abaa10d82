import { describe, expect, it } from 'vitest'

import {
  changePercent,
  decimalSign,
  formatAvgPrice,
  formatDateTime,
  formatDuration,
  formatMoney,
  formatRatio,
  formatSigned,
  pnlTone,
  sessionAt,
  formatDecimal,
  formatInteger,
  formatPrice,
  formatTickTime,
  PLACEHOLDER,
  subtractDecimal,
} from './format'

describe('formatDecimal / formatPrice', () => {
  it('keeps the exact digits of a price', () => {
    expect(formatPrice('912.34')).toBe('912.34')
    expect(formatPrice('912.3')).toBe('912.30')
    expect(formatPrice('912')).toBe('912.00')
    expect(formatPrice('1234.5')).toBe('1,234.50')
  })

  it('rounds half away from zero without floats', () => {
    expect(formatDecimal('0.125', { decimals: 2 })).toBe('0.13')
    expect(formatDecimal('-0.125', { decimals: 2 })).toBe('-0.13')
    expect(formatDecimal('9.995', { decimals: 2 })).toBe('10.00')
    expect(formatDecimal('99.5', { decimals: 0 })).toBe('100')
    expect(formatDecimal('-0.001', { decimals: 2 })).toBe('0.00')
  })

  it('groups thousands on request', () => {
    expect(formatDecimal('123456789.00', { decimals: 0, group: true })).toBe('123,456,789')
  })

  it('shows a placeholder for missing or bad values', () => {
    expect(formatPrice(undefined)).toBe(PLACEHOLDER)
    expect(formatPrice(null)).toBe(PLACEHOLDER)
    expect(formatPrice('NaN')).toBe(PLACEHOLDER)
    expect(formatPrice('1e3')).toBe(PLACEHOLDER)
  })
})

describe('formatInteger', () => {
  it('groups thousands', () => {
    expect(formatInteger(200000)).toBe('200,000')
    expect(formatInteger(0)).toBe('0')
    expect(formatInteger(undefined)).toBe(PLACEHOLDER)
  })
})

describe('subtractDecimal / decimalSign', () => {
  it('is exact', () => {
    expect(subtractDecimal('912.34', '909.5')).toBe('2.84')
    expect(subtractDecimal('0.1', '0.3')).toBe('-0.2')
    expect(subtractDecimal('100', '100.00')).toBe('0.00')
    expect(subtractDecimal('x', '1')).toBeNull()
  })

  it('gives the sign', () => {
    expect(decimalSign('2.84')).toBe(1)
    expect(decimalSign('-0.02')).toBe(-1)
    expect(decimalSign('0.00')).toBe(0)
    expect(decimalSign(null)).toBe(0)
  })
})

describe('formatTickTime', () => {
  it('shows exchange time (Asia/Shanghai) with milliseconds', () => {
    // 2026-01-05T01:30:00.500Z is 09:30:00.500 in Shanghai
    expect(formatTickTime(Date.UTC(2026, 0, 5, 1, 30, 0, 500))).toBe('09:30:00.500')
    // the night session crosses midnight
    expect(formatTickTime(Date.UTC(2026, 0, 5, 16, 5, 1, 7))).toBe('00:05:01.007')
    expect(formatTickTime(undefined)).toBe(PLACEHOLDER)
  })
})

describe('money and P&L', () => {
  it('formats money with two decimals and separators', () => {
    expect(formatMoney('1000090')).toBe('1,000,090.00')
    expect(formatMoney('999930.005')).toBe('999,930.01')
    expect(formatMoney(null)).toBe('—')
  })

  it('signs P&L and picks its tone', () => {
    expect(formatSigned('180')).toBe('+180.00')
    expect(formatSigned('-360.00')).toBe('-360.00')
    expect(formatSigned('0.00')).toBe('0.00')
    expect(pnlTone('180')).toBe('up')
    expect(pnlTone('-0.02')).toBe('down')
    expect(pnlTone('0')).toBe('')
    expect(pnlTone(undefined)).toBe('')
  })

  it('shows an average price with the tick precision unless it needs more', () => {
    expect(formatAvgPrice('918.3000')).toBe('918.30')
    expect(formatAvgPrice('918.3100')).toBe('918.31')
    expect(formatAvgPrice('918.3050')).toBe('918.305')
    expect(formatAvgPrice('918.30333')).toBe('918.3033')
  })

  it('computes the change percentage from the previous settlement', () => {
    expect(changePercent('929.20', '920.00')).toBe('+1.00%')
    expect(changePercent('910.80', '920.00')).toBe('-1.00%')
    expect(changePercent('920.00', '920.00')).toBe('0.00%')
    expect(changePercent('920.00', '0')).toBe('—')
  })

  it('formats ratios as percentages', () => {
    expect(formatRatio('0.625')).toBe('62.50%')
    expect(formatRatio(null)).toBe('—')
  })
})

describe('times', () => {
  it('shows instants in exchange time', () => {
    expect(formatDateTime('2026-11-22T20:58:28.4+00:00')).toBe('2026-11-23 04:58:28')
    expect(formatDateTime('garbage')).toBe('—')
  })

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('1m 5s')
    expect(formatDuration(3 * 3600 + 120)).toBe('3h 2m')
    expect(formatDuration(90000)).toBe('1d 1h 0m')
  })

  it('knows the SHFE gold sessions', () => {
    const at = (hhmm: string): number => Date.parse(`2026-11-23T${hhmm}:00+08:00`)
    expect(sessionAt(at('09:30'))).toBe('day')
    expect(sessionAt(at('10:20'))).toBe('closed')
    expect(sessionAt(at('14:59'))).toBe('day')
    expect(sessionAt(at('15:00'))).toBe('closed')
    expect(sessionAt(at('21:00'))).toBe('night')
    expect(sessionAt(at('02:29'))).toBe('night')
    expect(sessionAt(at('02:30'))).toBe('closed')
  })
})
