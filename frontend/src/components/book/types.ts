// Shapes of the book as the API sends them (money and prices as strings).

export interface Position {
  account_id: string
  symbol: string
  direction: 'long' | 'short'
  volume: number
  volume_today: number
  volume_yesterday: number
  avg_price: string
  current_price: string
  unrealized_pnl: string
  margin: string
  open_time: string | null
  update_time: string | null
}

export interface Order {
  order_id: string
  symbol: string
  side: string
  offset: string
  price: string
  volume: number
  traded: number
  status: string
  created_at: string
  updated_at?: string
  reject_reason?: string
  source?: string
}

export interface ClosePreview {
  token: string
  symbol: string
  direction: string
  side: string
  volume: number
  current_price: string
  expected_pnl: string
  plan: Array<{ offset: string; volume: number; price: string }>
  expires_in_s: number
}

export interface CloseResult {
  result: 'filled' | 'partly_filled' | 'working' | 'rejected' | string
  symbol: string
  direction: string
  volume: number
  traded: number
  orders: Order[]
  message: string
}

export interface Account {
  balance: string
  available: string
  margin: string
  frozen_margin: string
  unrealized_pnl: string
  realized_pnl: string
  commission: string
  update_time: string
}

const WORKING = new Set(['submitting', 'not_traded', 'part_traded'])

/** Merge one order update into the working-orders list (newest first). */
export function mergeOrder(list: readonly Order[], o: Order): Order[] {
  const rest = list.filter((x) => x.order_id !== o.order_id)
  return WORKING.has(o.status) ? [o, ...rest] : rest
}
