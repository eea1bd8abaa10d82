// Listen to a live topic while the component is mounted; the topic may change
// (the market page follows the main contract).

import { onBeforeUnmount, watch } from 'vue'

import { listen, type Listener } from '../stores/live'

export function useTopic(topic: () => string | null, listener: Listener): void {
  let stop: (() => void) | null = null
  watch(
    topic,
    (name) => {
      stop?.()
      stop = name ? listen(name, listener) : null
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    stop?.()
    stop = null
  })
}
