import { createApp, watch } from 'vue'

import App from './App.vue'
import { configureApi } from './lib/api'
import { router } from './router'
import { startLive, stopLive } from './stores/live'
import { ensureSession, forgetSession, session } from './stores/session'
import { installSettings } from './stores/settings'
import { refreshHealth, unwatchSystem, watchSystem } from './stores/system'
import './style.css'

function toLogin(): void {
  forgetSession()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.push({ name: 'login', query: { next: current.fullPath, expired: '1' } })
}

configureApi({ onUnauthorized: toLogin })
installSettings()
// /health needs no login: ask at once, beside the session check (first data sooner)
void refreshHealth()

// The live connection runs while someone is signed in.
watch(
  () => session.operator,
  (op) => {
    // '' is a provisional sign-in (the check is still under way)
    if (op !== null) {
      startLive(() => {
        // 1008: the server may no longer know us; ask, and show the login page if so
        session.checked = false
        ensureSession()
          .then((ok) => (ok ? undefined : toLogin()))
          .catch(() => undefined)
      })
      watchSystem()
    } else {
      unwatchSystem()
      stopLive()
    }
  },
)

createApp(App).use(router).mount('#app')
