// Whether a value on screen may be stale, from the live connection's state.

import { computed, type ComputedRef, type Ref } from 'vue'

import { staleReason, type StaleReason } from '../lib/staleness'
import { live } from '../stores/live'
import { useNow } from './useNow'

export function useStale(
  updatedAt: Ref<number | null>,
  opts: { resyncing?: Ref<boolean>; maxAgeMs?: number } = {},
): ComputedRef<StaleReason> {
  const now = useNow()
  return computed(() =>
    staleReason(
      {
        connection: live.status.state,
        updatedAt: updatedAt.value,
        resyncing: opts.resyncing?.value ?? false,
        maxAgeMs: opts.maxAgeMs,
      },
      now.value,
    ),
  )
}
