// The account against the broker's (GET /risk/reconciliation/money) and what the
// Account page shows: while live the broker's figures are the account's.
import type { components } from '../api/schema'
import type { TextKey } from './i18n'

type Schemas = components['schemas']
export type MoneyCheck = Schemas['MoneyOut']
export type Figures = Schemas['FiguresOut']
type Account = Schemas['AccountSnapshot']

export const MONEY_FIELDS = [
  'balance',
  'available',
  'margin',
  'frozen_margin',
  'commission',
  'close_profit',
  'pre_balance',
] as const
export type MoneyField = (typeof MONEY_FIELDS)[number]

/** One row per figure: both sides, the difference when they differ, and whether they do. */
export interface MoneyRow {
  field: MoneyField
  book: string | null
  broker: string | null
  difference: string | null
}

export function moneyRows(check: MoneyCheck): MoneyRow[] {
  const apart = new Map(check.differences.map((d) => [d.field, d.difference]))
  return MONEY_FIELDS.map((field) => ({
    field,
    book: check.book ? (check.book[field] ?? null) : null,
    broker: check.broker ? (check.broker[field] ?? null) : null,
    difference: apart.get(field) ?? null,
  }))
}

// The figures whose difference has a likely cause worth saying, by its text key.
const HINTS: Partial<Record<MoneyField, TextKey>> = { pre_balance: 'money.hint.pre_balance' }

/** The text keys of what the differing figures likely mean and what to do. */
export function moneyHints(rows: MoneyRow[]): TextKey[] {
  return rows.flatMap((r) => {
    const hint = r.difference === null ? undefined : HINTS[r.field]
    return hint ? [hint] : []
  })
}

/**
 * The account the page shows: the book's, with the broker's figures in their place
 * when the broker is the account's truth (live trading) and has reported.
 */
export function shownAccount(account: Account, check: MoneyCheck | null): Account {
  const broker = check?.truth === 'broker' ? check.broker : null
  if (!broker) return account
  return {
    ...account,
    balance: broker.balance,
    available: broker.available,
    margin: broker.margin,
    frozen_margin: broker.frozen_margin,
    today_commission: broker.commission,
    close_profit: broker.close_profit ?? account.close_profit,
    pre_balance: broker.pre_balance ?? account.pre_balance,
  }
}
