import { afterEach, describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'

import { configureApi } from '../../lib/api'
import type { StrategyInfo } from '../strategy/types'
import { defaultStrategy, handoverBody, useHandover, volumeProblem } from './handover'
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
}

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
