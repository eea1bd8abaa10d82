// The operations view (GET /ops): protection thresholds and notification channels,
// typed from the OpenAPI document (src/api/schema.d.ts, `make types`).
import type { components } from '../../api/schema'

type Schemas = components['schemas']

export type OpsView = Schemas['OpsView']
export type ChannelReport = Schemas['ChannelReport']
export type TestResults = Schemas['TestResults']

export type ProtectionKey = 'dailyLoss' | 'drawdown' | 'margin' | 'streak'

export const PROTECTION_LABEL = {
  dailyLoss: 'ops.p.dailyLoss',
  drawdown: 'ops.p.drawdown',
  margin: 'ops.p.margin',
  streak: 'ops.p.streak',
} as const

export interface ThresholdRow {
  key: ProtectionKey
  limit: string | null
  action: string | null
}

/** One row per protection: its limit (null when off) and the state it moves to. */
export function thresholdRows(p: OpsView['protections']): ThresholdRow[] {
  const cooldown = p.cooldown_minutes ? ` / ${p.cooldown_minutes} min` : ''
  return [
    { key: 'dailyLoss', limit: p.daily_loss_limit_yuan ?? null, action: p.daily_loss_action ?? null },
    { key: 'drawdown', limit: percent(p.max_drawdown_ratio), action: p.drawdown_action ?? null },
    { key: 'margin', limit: percent(p.max_margin_ratio), action: p.margin_action ?? null },
    {
      key: 'streak',
      limit: p.max_losing_streak == null ? null : `${p.max_losing_streak}${cooldown}`,
      action: p.streak_action ?? null,
    },
  ]
}

function percent(ratio: string | number | null | undefined): string | null {
  if (ratio == null) return null
  const value = Number(ratio) * 100
  return `${Number.isInteger(value) ? value : value.toFixed(2)}%`
}
