import { describe, expect, it } from 'vitest'

import { cashCards } from './cash'

describe('cashCards', () => {
  it('shows nothing on a day no money moved', () => {
    expect(cashCards({ deposit: '0.00', withdraw: '0.00' })).toEqual([])
  })

  it("shows the day's deposit and withdrawal that are not zero", () => {
    expect(cashCards({ deposit: '50000.00', withdraw: '0.00' }).map((c) => c.key)).toEqual([
      'account.depositToday',
    ])
    const both = cashCards({ deposit: '50000.00', withdraw: '20000.50' })
    expect(both.map((c) => [c.key, c.amount])).toEqual([
      ['account.depositToday', '50000.00'],
      ['account.withdrawToday', '20000.50'],
    ])
  })
})
