// A REST read with its loading, error and "route missing" states, for showing
// a message in place instead of a blank page.

import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'

import { ApiError } from '../lib/api'

export interface Resource<T> {
  data: ShallowRef<T | null>
  error: Ref<string | null>
  /** the path of a route this server does not have */
  missing: Ref<string | null>
  loading: Ref<boolean>
  /** epoch ms of the last successful load */
  loadedAt: Ref<number | null>
  load: () => Promise<void>
}

export function useResource<T>(loader: () => Promise<T>): Resource<T> {
  const data = shallowRef<T | null>(null)
  const error = ref<string | null>(null)
  const missing = ref<string | null>(null)
  const loading = ref(false)
  const loadedAt = ref<number | null>(null)
  let generation = 0

  async function load(): Promise<void> {
    const mine = ++generation
    loading.value = true
    try {
      const value = await loader()
      if (mine !== generation) return
      data.value = value
      error.value = null
      missing.value = null
      loadedAt.value = Date.now()
    } catch (e) {
      if (mine !== generation) return
      if (e instanceof ApiError && e.missing) {
        missing.value = e.path
        error.value = null
      } else {
        error.value = e instanceof Error ? e.message : String(e)
      }
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return { data, error, missing, loading, loadedAt, load }
}
