import { describe, expect, it } from 'vitest'

import { deliveryWarning, exchangeToday, lastDayToHold } from './delivery'

describe('the delivery-month warning', () => {
  it('names the last weekday before the delivery month', () => {
    expect(lastDayToHold('au2702')).toBe('2027-01-29')
    expect(lastDayToHold('au2612')).toBe('2026-11-30')
    expect(lastDayToHold('rb2701')).toBeNull()
  })

  it('warns in the last five trading days and in the delivery month, not before', () => {
    expect(deliveryWarning('au2702', '2027-01-20')).toBeNull()
    expect(deliveryWarning('au2702', '2027-01-25')).toMatchObject({ daysLeft: 4, inDelivery: false })
    expect(deliveryWarning('au2702', '2027-01-29')).toMatchObject({ daysLeft: 0, inDelivery: false })
    expect(deliveryWarning('au2612', '2026-12-02')).toMatchObject({ inDelivery: true })
    expect(deliveryWarning('au2612', '2027-01-04')).toBeNull()
  })

  it('dates today in exchange time', () => {
    // 2026-12-01 17:00 UTC is already 2 December in Shanghai
    expect(exchangeToday(new Date('2026-12-01T17:00:00Z'))).toBe('2026-12-02')
  })
})
