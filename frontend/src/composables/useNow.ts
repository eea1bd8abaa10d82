// A clock that ticks once a second, shared by all components (countdowns, staleness).

import { ref } from 'vue'

export const now = ref(Date.now())
let started = false

export function useNow(): typeof now {
  if (!started) {
    started = true
    setInterval(() => {
      now.value = Date.now()
    }, 1000)
  }
  return now
}
