import { describe, expect, it } from 'vitest'

import { thresholdRows, type OpsView } from './ops'

const off: OpsView['protections'] = {
  daily_loss_limit_yuan: null,
  daily_loss_action: 'halted',
  max_drawdown_ratio: null,
  drawdown_action: 'halted',
  max_margin_ratio: null,
  margin_action: 'reducing',
  max_losing_streak: null,
  streak_action: 'halted',
  cooldown_minutes: 30,
}

describe('thresholdRows', () => {
  it('shows a protection that is not set as off', () => {
    expect(thresholdRows(off).map((r) => r.limit)).toEqual([null, null, null, null])
  })

  it('shows ratios as percentages and the streak with its cooldown', () => {
    const rows = thresholdRows({
      ...off,
      daily_loss_limit_yuan: '20000',
      max_drawdown_ratio: '0.035',
      max_margin_ratio: '0.6',
      max_losing_streak: 3,
    })
    expect(rows.map((r) => r.limit)).toEqual(['20000', '3.50%', '60%', '3 / 30 min'])
    expect(rows.map((r) => r.action)).toEqual(['halted', 'halted', 'reducing', 'halted'])
  })
})
