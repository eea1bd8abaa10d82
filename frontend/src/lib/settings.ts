// The operator's display settings, kept in localStorage. Parsing is pure and
// forgiving: a missing or bad value falls back to the default.

import type { Lang } from './i18n'
import { MAX_RECONNECT_TRIES } from './reconnect'

export type Theme = 'dark' | 'light'
/** cn: red up, green down (Chinese convention); west: green up, red down */
export type PnlColors = 'cn' | 'west'

export interface Settings {
  lang: Lang
  theme: Theme
  pnlColors: PnlColors
  reconnectTries: number
}

export const STORAGE_KEY = 'arbig.settings'

export const DEFAULT_SETTINGS: Settings = {
  lang: 'zh',
  theme: 'dark',
  pnlColors: 'cn',
  reconnectTries: MAX_RECONNECT_TRIES,
}

export function parseSettings(raw: string | null): Settings {
  let obj: Record<string, unknown> = {}
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {}
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      obj = parsed as Record<string, unknown>
    }
  } catch {
    // a corrupt entry is replaced by the defaults
  }
  const tries = obj.reconnectTries
  return {
    lang: obj.lang === 'en' ? 'en' : 'zh',
    theme: obj.theme === 'light' ? 'light' : 'dark',
    pnlColors: obj.pnlColors === 'west' ? 'west' : 'cn',
    reconnectTries:
      typeof tries === 'number' && Number.isInteger(tries) && tries >= 1 && tries <= 100
        ? tries
        : MAX_RECONNECT_TRIES,
  }
}

export function serializeSettings(s: Settings): string {
  return JSON.stringify(s)
}
