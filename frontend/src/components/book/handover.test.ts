import { afterEach, describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'

import { configureApi } from '../../lib/api'
import type { StrategyInfo } from '../strategy/types'
import { translate } from '../../lib/i18n'
import { canHandOver, defaultStrategy, freeLots, handoverBody, ownership, useHandover, volumeProblem } from './handover'
import type { Position } from './types'

const leg: Position = {
  account_id: 'SIM',
  symbol: 'au2612',
  direction: 'long',
  volume: 3,
  volume_today: 2,
  volume_yesterday: 1,
  avg_price: '920.4200',
  current_price: '921.00',
  unrealized_pnl: '580.00',
  margin: '27600.00',
  open_time: '2026-12-03T01:00:00+00:00',
  update_time: '2026-12-03T01:05:00+00:00',
  owned: [],
  free_volume: 3,
}

// 3 lots: 1 the strategy's, 1 promised to a manual working close, 1 free
const shared: Position = { ...leg, owned: [{ strategy: 'ma_crossover', volume: 1 }], free_volume: 1 }

function info(name: string, running = false): StrategyInfo {
  return { name, description: '', params: {}, params_schema: {}, running }
}

interface Call {
  method: string
  url: string
  body: unknown
}

/** A server answering GET /strategies with `list` and the hand-over with `status`/`answer`. */
function server(list: StrategyInfo[], status: number, answer: unknown, calls: Call[]): void {
  const fetchFn = (async (url: string, init: RequestInit) => {
    const method = init.method ?? 'GET'
    calls.push({ method, url, body: init.body ? JSON.parse(init.body as string) : undefined })
    const [code, body] = url.endsWith('/strategies') ? [200, list] : [status, answer]
    return new Response(JSON.stringify(body), { status: code, headers: { 'Content-Type': 'application/json' } })
  }) as unknown as typeof fetch
  configureApi({ fetchFn, cookies: () => 'arbig_csrf=tok' })
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
  await nextTick()
}

afterEach(() => configureApi({ fetchFn: fetch, cookies: () => '' }))

describe('defaultStrategy', () => {
  it('proposes the running strategy, else the only one, else none', () => {
    expect(defaultStrategy([info('donchian'), info('ma_crossover', true)])).toBe('ma_crossover')
    expect(defaultStrategy([info('donchian')])).toBe('donchian')
    expect(defaultStrategy([info('donchian'), info('ma_crossover')])).toBe('')
    expect(defaultStrategy([])).toBe('')
  })
})

describe('ownership', () => {
  const text = (p: Position, lang: 'zh' | 'en') =>
    ownership(p)
      .map((o) => translate(lang, o.key, o.params))
      .join(' / ')

  it("names each strategy's own lots and the manual rest, in both languages", () => {
    const mixed = { ...leg, volume: 2, owned: [{ strategy: 'ma_crossover', volume: 1 }], free_volume: 1 }
    expect(text(mixed, 'zh')).toBe('策略 ma_crossover 1 / 手动 1')
    expect(text(mixed, 'en')).toBe('strategy ma_crossover 1 / manual 1')
  })

  it('says manual for lots no strategy owns, and omits manual when strategies own all', () => {
    expect(text(leg, 'en')).toBe('manual 3')
    const two = { ...leg, owned: [{ strategy: 'a', volume: 2 }, { strategy: 'b', volume: 1 }], free_volume: 0 }
    expect(text(two, 'en')).toBe('strategy a 2 / strategy b 1')
  })

  it('says nothing for a flat leg', () => {
    expect(ownership({ ...leg, volume: 0, volume_today: 0, volume_yesterday: 0, free_volume: 0 })).toEqual([])
  })
})

describe('canHandOver', () => {
  it('offers the handover only while lots are free', () => {
    expect(canHandOver(leg)).toBe(true)
    expect(canHandOver(shared)).toBe(true)
    expect(canHandOver({ ...leg, owned: [{ strategy: 'ma_crossover', volume: 3 }], free_volume: 0 })).toBe(false)
    expect(canHandOver({ ...leg, free_volume: 0 })).toBe(false) // all promised to a working close
    expect(freeLots(shared)).toBe(1)
  })
})

describe('volumeProblem', () => {
  it('accepts 1 to the leg volume', () => {
    expect(volumeProblem(1, 3)).toBeNull()
    expect(volumeProblem(3, 3)).toBeNull()
  })

  it('refuses what is out of range or not a whole number of lots', () => {
    expect(volumeProblem(0, 3)).toEqual({ key: 'handover.volumeRange', params: { max: 3 } })
    expect(volumeProblem(4, 3)).toEqual({ key: 'handover.volumeRange', params: { max: 3 } })
    expect(volumeProblem(-1, 3)?.key).toBe('handover.volumeRange')
    expect(volumeProblem(1.5, 3)).toEqual({ key: 'handover.volumeWhole' })
    expect(volumeProblem('', 3)).toEqual({ key: 'handover.volumeWhole' })
    expect(volumeProblem(Number.NaN, 3)).toEqual({ key: 'handover.volumeWhole' })
  })
})

describe('handoverBody', () => {
  it('names the strategy and the leg and confirms', () => {
    expect(handoverBody('ma_crossover', leg, 2)).toEqual({
      name: 'ma_crossover',
      symbol: 'au2612',
      direction: 'long',
      volume: 2,
      confirm: true,
    })
  })
})

describe('useHandover', () => {
  it('proposes the running strategy and one lot when opened', async () => {
    const calls: Call[] = []
    server([info('donchian'), info('ma_crossover', true)], 200, {}, calls)
    const position = ref<Position | null>(null)
    const h = useHandover(position)
    expect(calls).toEqual([]) // closed: nothing asked
    position.value = leg
    await settled()
    expect(h.strategy.value).toBe('ma_crossover')
    expect(h.strategies.value.map((s) => s.name)).toEqual(['donchian', 'ma_crossover'])
    expect(h.volume.value).toBe(1)
    expect(h.problem.value).toBeNull()
  })

  it('sends nothing while the volume is invalid or no strategy is chosen', async () => {
    const calls: Call[] = []
    server([info('donchian'), info('ma_crossover')], 200, {}, calls)
    const h = useHandover(ref<Position | null>(leg))
    await settled()
    expect(h.problem.value).toEqual({ key: 'handover.pickStrategy' })
    h.strategy.value = 'donchian'
    h.volume.value = 4
    expect(h.problem.value).toEqual({ key: 'handover.volumeRange', params: { max: 3 } })
    h.volume.value = ''
    expect(h.problem.value).toEqual({ key: 'handover.volumeWhole' })
    expect(await h.submit()).toBeNull()
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
  })

  it('limits the volume to the free lots, not the held ones', async () => {
    server([info('ma_crossover', true)], 200, {}, [])
    const h = useHandover(ref<Position | null>(shared))
    await settled()
    expect(h.problem.value).toBeNull()
    h.volume.value = 2
    expect(h.problem.value).toEqual({ key: 'handover.volumeRange', params: { max: 1 } })
  })

  it('posts the handover with the CSRF token and returns the answer', async () => {
    const calls: Call[] = []
    const answer = {
      strategy_name: 'ma_crossover',
      symbol: 'au2612',
      direction: 'long',
      volume_yesterday: 1,
      volume_today: 1,
      price: '920.42',
      trading_day: '2026-12-03',
      handed_at: '2026-12-03T01:06:00+00:00',
    }
    server([info('ma_crossover', true)], 200, answer, calls)
    const h = useHandover(ref<Position | null>(leg))
    await settled()
    h.volume.value = 2

    expect(await h.submit()).toEqual(answer)

    const [sent] = calls.filter((c) => c.method === 'POST')
    expect(sent!.url).toBe('/api/v1/strategies/hand-over')
    expect(sent!.body).toEqual({ name: 'ma_crossover', symbol: 'au2612', direction: 'long', volume: 2, confirm: true })
    expect(h.error.value).toBeNull()
    expect(h.busy.value).toBe(false)
  })

  it("shows the server's reason when it refuses, and returns nothing", async () => {
    const calls: Call[] = []
    const reason =
      "au2612 long: cannot hand 3 lots: the account holds 3, of which 1 are free of strategies' positions and working closes"
    server([info('ma_crossover', true)], 409, { detail: reason }, calls)
    const h = useHandover(ref<Position | null>(leg))
    await settled()
    h.volume.value = 3

    expect(await h.submit()).toBeNull()

    expect(h.error.value).toBe(reason)
    expect(h.busy.value).toBe(false)
    h.volume.value = 1 // another request: the reason for the last one goes
    await nextTick()
    expect(h.error.value).toBeNull()
  })

  it('names the field of a 422', async () => {
    server([info('ma_crossover', true)], 422, { detail: [{ loc: ['body', 'volume'], msg: 'Input should be less than or equal to 10000' }] }, [])
    const h = useHandover(ref<Position | null>(leg))
    await settled()
    expect(await h.submit()).toBeNull()
    expect(h.error.value).toBe('volume: Input should be less than or equal to 10000')
  })

  it('starts afresh when opened on another leg', async () => {
    server([info('ma_crossover', true)], 409, { detail: 'no' }, [])
    const position = ref<Position | null>(leg)
    const h = useHandover(position)
    await settled()
    h.volume.value = 3
    await h.submit()
    expect(h.error.value).toBe('no')
    position.value = { ...leg, direction: 'short' }
    await settled()
    expect(h.error.value).toBeNull()
    expect(h.volume.value).toBe(1)
  })
})
