import { describe, expect, it } from 'vitest'

import { enumText, translate } from './i18n'
import { en } from './text-en'
import { zh } from './text-zh'

describe('translate', () => {
  it('speaks Chinese by default and English on request', () => {
    expect(translate('zh', 'nav.positions')).toBe('持仓')
    expect(translate('en', 'nav.positions')).toBe('Positions')
  })

  it('fills placeholders', () => {
    expect(translate('en', 'conn.reconnecting', { s: 4, n: 3, max: 10 })).toBe(
      'Reconnecting in 4 s (try 3/10)',
    )
    expect(translate('zh', 'trades.page', { page: 2, pages: 5, total: 90 })).toBe('第 2/5 页，共 90 条')
  })

  it('leaves an unknown placeholder and falls back to the key for unknown text', () => {
    expect(translate('en', 'close.expires', {})).toBe('valid for {s} s')
    expect(translate('en', 'no.such.key')).toBe('no.such.key')
  })

  it('has the same keys in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
  })
})

describe('enumText', () => {
  it('translates machine values and passes unknown ones through', () => {
    expect(enumText('zh', 'side', 'buy')).toBe('买')
    expect(enumText('en', 'offset', 'close_today')).toBe('Close today')
    expect(enumText('en', 'offset', 'close_weird')).toBe('close_weird')
    expect(enumText('en', 'side', null)).toBe('—')
  })
})
