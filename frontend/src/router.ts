import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'

import { ensureSession } from './stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
  }
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'system', component: () => import('./views/SystemView.vue') },
    { path: '/market', name: 'market', component: () => import('./views/MarketView.vue') },
    { path: '/positions', name: 'positions', component: () => import('./views/PositionsView.vue') },
    { path: '/account', name: 'account', component: () => import('./views/AccountView.vue') },
    { path: '/strategy', name: 'strategy', component: () => import('./views/StrategyView.vue') },
    { path: '/trades', name: 'trades', component: () => import('./views/TradesView.vue') },
    { path: '/backtest', name: 'backtest', component: () => import('./views/BacktestView.vue') },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

/** Start loading the page's code while the session is checked, not after. */
function preload(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    const c = record.components?.default
    if (typeof c === 'function') void (c as () => Promise<unknown>)()
  }
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  preload(to)
  let signedIn = false
  try {
    signedIn = await ensureSession()
  } catch {
    // the server is unreachable: show the page, which shows its own errors
    return true
  }
  return signedIn ? true : { name: 'login', query: { next: to.fullPath } }
})
