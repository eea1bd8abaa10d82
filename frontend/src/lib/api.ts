// REST calls to the ARBIG web service (JSON under /api/v1).

export interface Health {
  main_contract: string
  [key: string]: unknown
}

export function parseHealth(body: unknown): Health {
  if (typeof body !== 'object' || body === null) throw new Error('health: not an object')
  const mc = (body as Record<string, unknown>).main_contract
  if (typeof mc !== 'string' || mc === '') throw new Error('health: no main_contract')
  return body as Health
}

export async function fetchHealth(fetchFn: typeof fetch = fetch): Promise<Health> {
  const res = await fetchFn('/api/v1/health', { headers: { Accept: 'application/json' } })
  if (!res.ok) throw new Error(`health: HTTP ${res.status}`)
  return parseHealth(await res.json())
}
