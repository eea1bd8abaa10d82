import { describe, expect, it } from 'vitest'

import { countTriggers, mergeTrigger, readTrigger, readTriggers, readTriggerSummary } from './triggers'

const raw = {
  trigger_id: 7,
  strategy_name: 'ma_cross',
  symbol: 'au2612',
  trigger_time: '2026-11-23T09:01:00+08:00',
  condition: 'ma5 crossed above ma20',
  price: '918.40',
  action: 'buy',
  result: 'pending',
  order_ids: ['S1-1'],
  error_message: null,
}

describe('triggers', () => {
  it('reads a trigger from the API or the topic', () => {
    expect(readTrigger(raw)).toEqual({
      id: '7',
      strategy: 'ma_cross',
      time: raw.trigger_time,
      condition: 'ma5 crossed above ma20',
      price: '918.40',
      action: 'buy',
      result: 'pending',
      orders: ['S1-1'],
      error: null,
    })
  })

  it('reads the table column names too', () => {
    const r = readTrigger({ id: 1, trigger_time: 'x', action_type: 'close', execution_result: 'failed', order_id: 'a,b' })
    expect(r?.action).toBe('close')
    expect(r?.result).toBe('failed')
    expect(r?.orders).toEqual(['a', 'b'])
    expect(readTriggers({ items: [raw, { nope: 1 }] })).toHaveLength(1)
  })

  it('replaces a pending trigger by its resolution', () => {
    const first = readTrigger(raw)!
    const done = { ...first, result: 'success' }
    const list = mergeTrigger(mergeTrigger([], first), done)
    expect(list).toHaveLength(1)
    expect(list[0]!.result).toBe('success')
  })

  it('counts by action and result', () => {
    const a = readTrigger(raw)!
    const b = { ...a, id: '8', result: 'success' }
    const c = { ...a, id: '9', action: 'close', result: 'failed' }
    expect(countTriggers([a, b, c])).toEqual({
      buy: { success: 1, failed: 0, pending: 1 },
      close: { success: 0, failed: 1, pending: 0 },
    })
  })

  it('reads summary rows in either shape', () => {
    expect(
      readTriggerSummary([
        { action_type: 'buy', execution_result: 'success', count: 3 },
        { action: 'sell', success_count: 1, failed_count: 2 },
      ]),
    ).toEqual({ buy: { success: 3, failed: 0, pending: 0 }, sell: { success: 1, failed: 2, pending: 0 } })
    expect(readTriggerSummary('x')).toBeNull()
  })
})
