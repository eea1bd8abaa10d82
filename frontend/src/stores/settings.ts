// The operator's settings as reactive state, persisted, and the `t` that
// templates use for text in the chosen language.

import { reactive, watch } from 'vue'

import { enumText, translate, type TextKey } from '../lib/i18n'
import { parseSettings, serializeSettings, STORAGE_KEY, type Settings } from '../lib/settings'

function load(): Settings {
  try {
    return parseSettings(localStorage.getItem(STORAGE_KEY))
  } catch {
    return parseSettings(null)
  }
}

export const settings = reactive<Settings>(load())

export function t(key: TextKey, params?: Record<string, string | number>): string {
  return translate(settings.lang, key, params)
}

/** Display text of a machine value: `te('side', 'buy')` → 买 / Buy. */
export function te(group: string, value: string | null | undefined): string {
  return enumText(settings.lang, group, value)
}

/** Apply the settings to the document and save them whenever they change. */
export function installSettings(): void {
  const apply = (): void => {
    const root = document.documentElement
    root.dataset.theme = settings.theme
    root.dataset.pnl = settings.pnlColors
    root.lang = settings.lang === 'zh' ? 'zh-CN' : 'en'
    document.title = translate(settings.lang, 'appTitle')
    try {
      localStorage.setItem(STORAGE_KEY, serializeSettings({ ...settings }))
    } catch {
      // private mode: settings last for this page only
    }
  }
  watch(settings, apply, { deep: true, immediate: true })
}
