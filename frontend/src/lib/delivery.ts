/**
 * SHFE does not let individual accounts hold a position in a contract's delivery
 * month: it must be closed by the last trading day of the month before. The
 * Positions page warns about positions still held in the last trading days before
 * it. Trading days are counted as weekdays here (the server's calendar also knows
 * the exchange's holidays, which can only make the last day earlier).
 */

const GOLD = /^au(\d\d)(\d\d)$/
export const WARN_TRADING_DAYS = 5

export interface DeliveryWarning {
  symbol: string
  /** The last weekday before the delivery month, YYYY-MM-DD. */
  lastDay: string
  /** Weekdays after today up to and including lastDay; 0 on the last day itself. */
  daysLeft: number
  inDelivery: boolean
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

function isWeekday(d: Date): boolean {
  const day = d.getUTCDay()
  return day !== 0 && day !== 6
}

/** The last weekday before ``symbol``'s delivery month, or null for other symbols. */
export function lastDayToHold(symbol: string): string | null {
  const m = GOLD.exec(symbol)
  if (!m) return null
  const year = 2000 + Number(m[1])
  const month = Number(m[2])
  const d = new Date(Date.UTC(year, month - 1, 1))
  do d.setUTCDate(d.getUTCDate() - 1)
  while (!isWeekday(d))
  return iso(d)
}

/** The warning for a position in ``symbol`` held on ``today`` (YYYY-MM-DD), or null. */
export function deliveryWarning(symbol: string, today: string): DeliveryWarning | null {
  const lastDay = lastDayToHold(symbol)
  if (lastDay === null) return null
  if (today > lastDay) {
    const m = GOLD.exec(symbol)!
    const inDelivery = today.slice(0, 7) === `20${m[1]}-${m[2]}`
    return inDelivery ? { symbol, lastDay, daysLeft: 0, inDelivery } : null
  }
  let daysLeft = 0
  const d = new Date(`${today}T00:00:00Z`)
  while (iso(d) < lastDay) {
    d.setUTCDate(d.getUTCDate() + 1)
    if (isWeekday(d)) daysLeft += 1
  }
  return daysLeft < WARN_TRADING_DAYS ? { symbol, lastDay, daysLeft, inDelivery: false } : null
}

/** Today's date in exchange time (Asia/Shanghai), YYYY-MM-DD. */
export function exchangeToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now)
}
