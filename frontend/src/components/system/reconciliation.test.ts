import { describe, expect, it } from 'vitest'

import { adjustment, needsAcceptance } from './reconciliation'

describe('reconciliation', () => {
  it('adjusts the book to the broker', () => {
    expect(adjustment({ symbol: 'au2612', direction: 'long', book: 2, broker: 1 })).toBe(-1)
    expect(adjustment({ symbol: 'au2612', direction: 'short', book: 0, broker: 3 })).toBe(3)
  })

  it('asks for acceptance only while halted or differing', () => {
    expect(needsAcceptance(null)).toBe(false)
    expect(needsAcceptance({ halted: null, differences: [] })).toBe(false)
    expect(needsAcceptance({ halted: 'positions differ', differences: [] })).toBe(true)
    const d = { symbol: 'au2612', direction: 'long', book: 2, broker: 1 }
    expect(needsAcceptance({ halted: null, differences: [d] })).toBe(true)
  })
})
