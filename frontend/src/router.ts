import { createRouter, createWebHistory } from 'vue-router'

import MarketView from './views/MarketView.vue'

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', name: 'home', component: MarketView },
    { path: '/market', name: 'market', component: MarketView },
    { path: '/:pathMatch(.*)*', redirect: '/market' },
  ],
})
