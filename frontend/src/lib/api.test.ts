import { describe, expect, it } from 'vitest'

import { fetchHealth, parseHealth } from './api'

describe('health', () => {
  it('reads main_contract', async () => {
    const fake = (async () =>
      new Response(JSON.stringify({ status: 'ok', main_contract: 'au2612' }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      })) as typeof fetch
    expect((await fetchHealth(fake)).main_contract).toBe('au2612')
  })

  it('rejects a body without main_contract and HTTP errors', async () => {
    expect(() => parseHealth({ status: 'ok' })).toThrow(/main_contract/)
    const fail = (async () => new Response('', { status: 503 })) as typeof fetch
    await expect(fetchHealth(fail)).rejects.toThrow(/503/)
  })
})
