import { describe, expect, it } from 'vitest'

import { Coalescer } from './coalesce'

describe('Coalescer', () => {
  it('applies only the newest value once per frame', () => {
    const frames: Array<() => void> = []
    const applied: number[] = []
    const c = new Coalescer<number>((v) => applied.push(v), (fn) => frames.push(fn))
    c.push(1)
    c.push(2)
    c.push(3)
    expect(frames).toHaveLength(1)
    frames[0]!()
    expect(applied).toEqual([3])
    c.push(4)
    expect(frames).toHaveLength(2)
    frames[1]!()
    expect(applied).toEqual([3, 4])
    expect([c.received, c.applied]).toEqual([4, 2])
  })
})
