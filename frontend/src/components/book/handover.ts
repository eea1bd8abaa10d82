// Handing lots of the account to a strategy (POST /strategies/hand-over): the state
// of the Positions page's dialog, kept out of the template so that it is tested
// without a browser. Types come from the OpenAPI document (`make types`).
import { computed, ref, watch, type Ref } from 'vue'

import type { components } from '../../api/schema'
import { get, post } from '../../lib/api'
import { EP } from '../../lib/endpoints'
import type { TextKey } from '../../lib/i18n'
import { readStrategies, type StrategyInfo } from '../strategy/types'
import type { Position } from './types'

type Schemas = components['schemas']

export type HandOverBody = Schemas['HandOver']
export type Handover = Schemas['Handover']

/** A reason the dialog cannot send yet: a text key and its placeholders. */
export interface Problem {
  key: TextKey
  params?: Record<string, string | number>
}

/** The strategy proposed: the running one, else the only one, else none (the operator picks). */
export function defaultStrategy(list: readonly StrategyInfo[]): string {
  return list.find((s) => s.running)?.name ?? (list.length === 1 ? list[0]!.name : '')
}

/** The lots of `p` that can be handed: held, owned by no strategy, not promised to a
 * manual working close. The server counts them by the rule it refuses a handover by. */
export function freeLots(p: Position): number {
  return p.free_volume
}

/** Whether the table offers "Hand to strategy" on `p`: only when some lots are free. */
export function canHandOver(p: Position): boolean {
  return p.volume > 0 && freeLots(p) > 0
}

/** Who holds the lots of `p`, as text keys: each strategy's own lots, then the
 * manual ones (the rest); empty for a flat leg. */
export function ownership(p: Position): Problem[] {
  if (p.volume <= 0) return []
  const parts: Problem[] = p.owned
    .filter((o) => o.volume > 0)
    .map((o) => ({ key: 'positions.ownedBy', params: { name: o.strategy, n: o.volume } }))
  const manual = p.volume - p.owned.reduce((sum, o) => sum + o.volume, 0)
  if (manual > 0 || !parts.length) parts.push({ key: 'positions.manual', params: { n: Math.max(manual, 0) } })
  return parts
}

/** Why `volume` cannot be handed from a leg of `max` lots, or null when it can. */
export function volumeProblem(volume: unknown, max: number): Problem | null {
  // an emptied or non-numeric <input type=number> gives '' to v-model.number
  if (typeof volume !== 'number' || !Number.isInteger(volume)) return { key: 'handover.volumeWhole' }
  if (volume < 1 || volume > max) return { key: 'handover.volumeRange', params: { max } }
  return null
}

/** The request: named strategy, the leg, and the explicit confirmation the route wants. */
export function handoverBody(name: string, position: Position, volume: number): HandOverBody {
  return { name, symbol: position.symbol, direction: position.direction, volume, confirm: true }
}

/** The dialog's state for `position` (null: closed); `submit` sends the handover. */
export function useHandover(position: Ref<Position | null>) {
  const strategies = ref<StrategyInfo[]>([])
  const strategy = ref('')
  const volume = ref<number | string>(1)
  const busy = ref(false)
  const error = ref<string | null>(null)

  const problem = computed<Problem | null>(() => {
    const p = position.value
    if (!p) return null
    if (!strategy.value) return { key: 'handover.pickStrategy' }
    return volumeProblem(volume.value, freeLots(p))
  })

  async function loadStrategies(): Promise<void> {
    try {
      strategies.value = readStrategies(await get<unknown>(EP.strategies))
      if (!strategies.value.some((s) => s.name === strategy.value)) strategy.value = defaultStrategy(strategies.value)
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  watch(
    position,
    (p) => {
      error.value = null
      volume.value = 1 // it cannot be undone: the smallest handover unless the operator says more
      if (p) void loadStrategies()
    },
    { immediate: true },
  )

  // a refusal was about what was asked: asking something else clears it
  watch([strategy, volume], () => {
    error.value = null
  })

  /** The handover the server made, or null (refused: `error` holds its reason). */
  async function submit(): Promise<Handover | null> {
    const p = position.value
    if (!p || problem.value || busy.value) return null
    busy.value = true
    error.value = null
    try {
      return await post<Handover>(EP.strategyHandOver, handoverBody(strategy.value, p, volume.value as number))
    } catch (e) {
      error.value = (e as Error).message
      return null
    } finally {
      busy.value = false
    }
  }

  return { strategies, strategy, volume, busy, error, problem, submit, loadStrategies }
}
