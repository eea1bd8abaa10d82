import { describe, expect, it } from 'vitest'

import {
  decimalSign,
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
