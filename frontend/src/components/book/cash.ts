// The day's deposit and withdrawal on the account cards: shown only on a day money moved.
import type { Account } from './types'

export interface CashCard {
  key: 'account.depositToday' | 'account.withdrawToday'
  amount: string
  testid: string
}

/** A card for each of the day's deposit and withdrawal that is not zero. */
export function cashCards(account: Pick<Account, 'deposit' | 'withdraw'>): CashCard[] {
  const cards: CashCard[] = []
  if (Number(account.deposit) !== 0) {
    cards.push({ key: 'account.depositToday', amount: account.deposit, testid: 'deposit-today' })
  }
  if (Number(account.withdraw) !== 0) {
    cards.push({ key: 'account.withdrawToday', amount: account.withdraw, testid: 'withdraw-today' })
  }
  return cards
}
