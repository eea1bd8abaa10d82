// UI text: Chinese by default, English on request. `translate` is pure; the
// reactive `t` that templates use lives in stores/settings.ts.

import { en } from './text-en'
import { zh, type TextKey } from './text-zh'

export type Lang = 'zh' | 'en'
export type { TextKey }

const TABLES: Record<Lang, Partial<Record<TextKey, string>>> = { zh, en }

/**
 * The text of `key` in `lang`, falling back to Chinese, then to the key
 * itself; `{name}` placeholders are filled from `params`.
 */
export function translate(
  lang: Lang,
  key: TextKey | string,
  params?: Record<string, string | number>,
): string {
  const k = key as TextKey
  const text = TABLES[lang][k] ?? zh[k] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    params[name] === undefined ? m : String(params[name]),
  )
}

/** Display text for a machine enum value (`side.buy`, `state.halted`...). */
export function enumText(lang: Lang, group: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const key = `${group}.${value}`
  const text = translate(lang, key)
  return text === key ? value : text
}
