import { describe, expect, it } from 'vitest'

import { DEFAULT_SETTINGS, parseSettings, serializeSettings } from './settings'

describe('parseSettings', () => {
  it('defaults to Chinese, dark, red-up and ten tries', () => {
    expect(parseSettings(null)).toEqual({ lang: 'zh', theme: 'dark', pnlColors: 'cn', reconnectTries: 10 })
  })

  it('round-trips what was saved', () => {
    const s = { lang: 'en', theme: 'light', pnlColors: 'west', reconnectTries: 3 } as const
    expect(parseSettings(serializeSettings(s))).toEqual(s)
  })

  it('replaces bad values and corrupt JSON by the defaults', () => {
    expect(parseSettings('{"lang":"fr","theme":7,"reconnectTries":0}')).toEqual(DEFAULT_SETTINGS)
    expect(parseSettings('{not json')).toEqual(DEFAULT_SETTINGS)
    expect(parseSettings('[1]')).toEqual(DEFAULT_SETTINGS)
  })
})
