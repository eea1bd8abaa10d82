import { describe, expect, it } from 'vitest'

import { parseServerMessage, SeqTracker, subscribeFrame, tickTopic } from './messages'

const tickData = {
  symbol: 'au2612',
  timestamp: 1_793_000_000_500,
  datetime: '2026-10-27T10:13:20.500+08:00',
  trading_day: '20261027',
  last_price: '912.34',
  bid_price: '912.32',
  ask_price: '912.36',
  high_price: '915.00',
  low_price: '908.10',
  open_price: '910.00',
  pre_settlement: '909.50',
  limit_up: '982.26',
  limit_down: '836.74',
  turnover: '123456789.00',
  volume: 12345,
  bid_volume: 7,
  ask_volume: 3,
  open_interest: 200000,
}

describe('parseServerMessage', () => {
  it('parses a tick and keeps prices as strings', () => {
    const res = parseServerMessage(
      JSON.stringify({ type: 'tick', topic: 'tick:au2612', seq: 42, data: tickData }),
    )
    expect(res.ok).toBe(true)
    if (!res.ok || res.message.type !== 'tick') throw new Error('expected tick')
    expect(res.message.seq).toBe(42)
    expect(res.message.topic).toBe('tick:au2612')
    expect(res.message.data.last_price).toBe('912.34')
    expect(res.message.data.volume).toBe(12345)
    expect(res.message.data.open_interest).toBe(200000)
  })

  it('rejects a tick with a non-decimal price', () => {
    const res = parseServerMessage(
      JSON.stringify({ type: 'tick', topic: 't', seq: 1, data: { ...tickData, bid_price: 'abc' } }),
    )
    expect(res).toEqual({ ok: false, error: 'tick.bid_price is not a decimal' })
  })

  it('rejects a tick with a fractional volume', () => {
    const res = parseServerMessage(
      JSON.stringify({ type: 'tick', topic: 't', seq: 1, data: { ...tickData, volume: 1.5 } }),
    )
    expect(res.ok).toBe(false)
  })

  it('parses ack, pong and error', () => {
    expect(parseServerMessage('{"type":"ack","op":"subscribe","topics":["tick:au2612"]}')).toEqual({
      ok: true,
      message: { type: 'ack', op: 'subscribe', topics: ['tick:au2612'] },
    })
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ ok: true, message: { type: 'pong' } })
    expect(parseServerMessage('{"type":"error","message":"bad op"}')).toEqual({
      ok: true,
      message: { type: 'error', message: 'bad op' },
    })
  })

  it('passes unknown types through and never throws on garbage', () => {
    const res = parseServerMessage('{"type":"positions","topic":"positions","seq":3,"data":[]}')
    expect(res).toEqual({
      ok: true,
      message: { type: 'data', kind: 'positions', topic: 'positions', seq: 3, snapshot: false, data: [] },
    })
    expect(parseServerMessage('{"type":"hello","data":1}')).toEqual({
      ok: true,
      message: { type: 'other', rawType: 'hello', data: 1 },
    })
    expect(parseServerMessage('not json').ok).toBe(false)
    expect(parseServerMessage('[1,2]').ok).toBe(false)
    expect(parseServerMessage('null').ok).toBe(false)
  })
})

describe('frames', () => {
  it('builds the subscribe frame of DESIGN.md', () => {
    expect(JSON.parse(subscribeFrame([tickTopic('au2612')]))).toEqual({
      op: 'subscribe',
      topics: ['tick:au2612'],
    })
  })
})

describe('SeqTracker', () => {
  it('drops stale messages and counts gaps per topic', () => {
    const t = new SeqTracker()
    expect(t.accept('a', 1)).toBe(true)
    expect(t.accept('a', 2)).toBe(true)
    expect(t.accept('a', 2)).toBe(false)
    expect(t.accept('b', 10)).toBe(true)
    expect(t.accept('a', 5)).toBe(true)
    expect(t.gaps).toBe(2)
    t.reset()
    expect(t.accept('a', 1)).toBe(true)
  })

  it('reports a jump on a book topic as a gap to re-fetch', () => {
    const t = new SeqTracker()
    expect(t.judge('positions', 13, true)).toBe('deliver')
    expect(t.judge('positions', 14)).toBe('deliver')
    expect(t.judge('positions', 16)).toBe('gap')
    expect(t.judge('positions', 17)).toBe('deliver')
  })

  it('does not treat a conflated tick jump as a gap', () => {
    const t = new SeqTracker()
    expect(t.judge('tick:au2612', 49, true)).toBe('deliver')
    expect(t.judge('tick:au2612', 55)).toBe('deliver')
    expect(t.gaps).toBe(0)
  })

  it('takes a snapshot as the new baseline even when its seq is lower', () => {
    const t = new SeqTracker()
    t.judge('account', 20)
    expect(t.judge('account', 3, true)).toBe('deliver')
    expect(t.judge('account', 4)).toBe('deliver')
  })

  it('takes the first message of a topic without a snapshot as the baseline', () => {
    const t = new SeqTracker()
    expect(t.judge('trades', 7)).toBe('deliver')
    expect(t.judge('trades', 8)).toBe('deliver')
    expect(t.gaps).toBe(0)
  })
})
