import { describe, expect, it } from 'vitest'

import { bannerOf, readTradingState } from './system'

describe('readTradingState', () => {
  it('reads a plain state with its reason', () => {
    expect(readTradingState({ state: 'halted', reason: 'fat finger' })).toEqual({
      state: 'halted',
      emergencyStop: false,
      reason: 'fat finger',
      since: null,
    })
  })

  it('reads a nested or flagged emergency stop', () => {
    const r = readTradingState({ trading: { trading_state: 'halted', emergency_stop: { reason: 'x' } } })
    expect(r?.state).toBe('halted')
    expect(r?.emergencyStop).toBe(true)
    expect(r?.reason).toBe('x')
  })

  it('reads the risk route answer', () => {
    const r = readTradingState({ state: 'halted', emergency: true, since: '2026-11-23T05:00:00+08:00', reason: 'test', actor: 'operator' })
    expect(r).toEqual({
      state: 'halted',
      emergencyStop: true,
      reason: 'test',
      since: '2026-11-23T05:00:00+08:00',
      actor: 'operator',
    })
    expect(readTradingState({ state: 'active', emergency: false, since: null, reason: '' })?.emergencyStop).toBe(false)
  })

  it('keeps who set the state, so the banner can name a protection', () => {
    const r = readTradingState({ state: 'halted', reason: 'daily loss 21000.00 reached the limit 20000', actor: 'protection:daily_loss' })
    expect(r?.actor).toBe('protection:daily_loss')
  })

  it('returns null for messages that are not about the trading state', () => {
    expect(readTradingState({ main_contract: 'au2702', previous: 'au2612' })).toBeNull()
    expect(readTradingState({ gateway: 'down', reason: 'lost' })).toBeNull()
    expect(readTradingState([1])).toBeNull()
  })
})

describe('bannerOf', () => {
  it('shows a banner only when trading is not active', () => {
    expect(bannerOf(null)).toBeNull()
    expect(bannerOf({ state: 'active', emergencyStop: false, reason: null, since: null })).toBeNull()
    expect(bannerOf({ state: 'reducing', emergencyStop: false, reason: null, since: null })).toBe('reducing')
    expect(bannerOf({ state: 'halted', emergencyStop: false, reason: null, since: null })).toBe('halted')
  })
})
