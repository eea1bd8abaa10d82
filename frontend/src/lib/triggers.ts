// Strategy triggers: read them forgivingly (the strategy routes were being
// built alongside the console) and count them by action and result.

export interface TriggerRow {
  id: string
  strategy: string
  time: string
  condition: string
  price: string | null
  action: string
  result: string
  orders: string[]
  error: string | null
}

function s(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null
}

export function readTrigger(raw: unknown): TriggerRow | null {
  if (typeof raw !== 'object' || raw === null) return null
  const o = raw as Record<string, unknown>
  const action = s(o.action) ?? s(o.action_type)
  const time = s(o.trigger_time) ?? s(o.time)
  if (!action || !time) return null
  const ids = Array.isArray(o.order_ids)
    ? o.order_ids.filter((x): x is string => typeof x === 'string')
    : (s(o.order_id) ?? '').split(',').filter(Boolean)
  return {
    id: s(o.trigger_id) ?? s(o.id) ?? `${time}-${action}`,
    strategy: s(o.strategy_name) ?? s(o.strategy) ?? '',
    time,
    condition: s(o.condition) ?? s(o.trigger_condition) ?? '',
    price: s(o.price) ?? s(o.trigger_price),
    action,
    result: s(o.result) ?? s(o.execution_result) ?? 'pending',
    orders: ids,
    error: s(o.error_message) ?? s(o.error),
  }
}

export function readTriggers(body: unknown): TriggerRow[] {
  const list = Array.isArray(body) ? body : (body as { items?: unknown } | null)?.items
  if (!Array.isArray(list)) return []
  return list.map(readTrigger).filter((x): x is TriggerRow => x !== null)
}

/** Put a live trigger in the list (newest first); a trigger resolved later replaces its pending row. */
export function mergeTrigger(list: readonly TriggerRow[], tr: TriggerRow, max = 200): TriggerRow[] {
  const rest = list.filter((x) => x.id !== tr.id)
  return [tr, ...rest].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, max)
}

export type TriggerCounts = Record<string, { success: number; failed: number; pending: number }>

export function countTriggers(rows: readonly TriggerRow[]): TriggerCounts {
  const out: TriggerCounts = {}
  for (const r of rows) {
    const c = (out[r.action] ??= { success: 0, failed: 0, pending: 0 })
    if (r.result === 'success' || r.result === 'failed' || r.result === 'pending') c[r.result] += 1
  }
  return out
}

/** Counts from the server's summary rows ({action_type, execution_result, count}-like); null if unreadable. */
export function readTriggerSummary(body: unknown): TriggerCounts | null {
  const list = Array.isArray(body) ? body : (body as { items?: unknown } | null)?.items
  if (!Array.isArray(list)) return null
  const out: TriggerCounts = {}
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue
    const o = raw as Record<string, unknown>
    const action = s(o.action) ?? s(o.action_type)
    if (!action) continue
    const c = (out[action] ??= { success: 0, failed: 0, pending: 0 })
    const result = s(o.result) ?? s(o.execution_result)
    const n = Number(o.count ?? o.trigger_count ?? o.total ?? 0)
    if (result === 'success' || result === 'failed' || result === 'pending') c[result] += n
    else {
      c.success += Number(o.success ?? o.success_count ?? 0)
      c.failed += Number(o.failed ?? o.failed_count ?? 0)
      c.pending += Number(o.pending ?? o.pending_count ?? 0)
    }
  }
  return out
}
