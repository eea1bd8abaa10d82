import { describe, expect, it } from 'vitest'

import type { components } from '../api/schema'
import { type MoneyCheck, moneyHints, moneyRows, shownAccount } from './money'

type Account = components['schemas']['AccountSnapshot']

const ACCOUNT: Account = {
  account_id: '000001',
  balance: '1000000.00',
  available: '900000.00',
  margin: '100000.00',
  frozen_margin: '0.00',
  unrealized_pnl: '0.00',
  realized_pnl: '0.00',
  commission: '10.00',
  update_time: '2026-06-01T02:00:00+00:00',
  frozen_commission: '0.00',
  pre_balance: '1000000.00',
  close_profit: '0.00',
  position_profit: '0.00',
  today_commission: '10.00',
  deposit: '0.00',
  withdraw: '0.00',
}

const BROKER = {
  balance: '999987.50',
  available: '899987.50',
  margin: '100000.00',
  frozen_margin: '0.00',
  commission: '22.50',
  close_profit: '0.00',
}

function check(truth: 'broker' | 'book'): MoneyCheck {
  return {
    checked_at: '2026-06-01T02:00:00+00:00',
    account_id: '000001',
    truth,
    book: { ...BROKER, balance: '1000000.00', available: '900000.00', commission: '10.00' },
    broker: BROKER,
    differences: [
      { field: 'balance', book: '1000000.00', broker: '999987.50', difference: '12.50' },
      { field: 'available', book: '900000.00', broker: '899987.50', difference: '12.50' },
      { field: 'commission', book: '10.00', broker: '22.50', difference: '-12.50' },
    ],
  }
}

describe('shownAccount', () => {
  it("shows the broker's figures while the broker is the truth", () => {
    const shown = shownAccount(ACCOUNT, check('broker'))
    expect(shown.balance).toBe('999987.50')
    expect(shown.today_commission).toBe('22.50')
    expect(shown.realized_pnl).toBe('0.00') // what the broker does not report stays the book's
    expect(shown.pre_balance).toBe('1000000.00')
    const moved = shownAccount(ACCOUNT, { ...check('broker'), broker: { ...BROKER, pre_balance: '1050000.00' } })
    expect(moved.pre_balance).toBe('1050000.00')
  })

  it("keeps the book's figures on paper and before the first report", () => {
    expect(shownAccount(ACCOUNT, check('book'))).toEqual(ACCOUNT)
    expect(shownAccount(ACCOUNT, null)).toEqual(ACCOUNT)
    expect(shownAccount(ACCOUNT, { ...check('broker'), broker: null })).toEqual(ACCOUNT)
  })
})

describe('moneyRows', () => {
  it('gives every figure with its difference where the sides differ', () => {
    const rows = moneyRows(check('broker'))
    expect(rows.map((r) => r.field)).toEqual([
      'balance',
      'available',
      'margin',
      'frozen_margin',
      'commission',
      'close_profit',
      'pre_balance',
    ])
    expect(rows[0]).toEqual({ field: 'balance', book: '1000000.00', broker: '999987.50', difference: '12.50' })
    expect(rows[2]?.difference).toBeNull()
  })

  it('gives the previous settled balance, where a missed cash move shows', () => {
    const c = check('broker')
    const book = { ...BROKER, pre_balance: '1000000.00' }
    const rows = moneyRows({
      ...c,
      book,
      broker: { ...BROKER, pre_balance: '1050000.00' },
      differences: [{ field: 'pre_balance', book: '1000000.00', broker: '1050000.00', difference: '-50000.00' }],
    })
    expect(rows[6]).toEqual({ field: 'pre_balance', book: '1000000.00', broker: '1050000.00', difference: '-50000.00' })
    expect(moneyHints(rows)).toEqual(['money.hint.pre_balance'])
    expect(moneyHints(moneyRows(check('broker')))).toEqual([]) // no hint for a balance alone
  })

  it('leaves a figure one side does not count empty', () => {
    const c = check('book')
    const rows = moneyRows({ ...c, broker: { ...BROKER, close_profit: null } })
    expect(rows[5]).toEqual({ field: 'close_profit', book: '0.00', broker: null, difference: null })
  })
})
