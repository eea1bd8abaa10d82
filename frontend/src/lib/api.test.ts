import { afterEach, describe, expect, it } from 'vitest'

import { ApiError, configureApi, errorMessage, get, post, readCookie, withQuery } from './api'

function fakeFetch(status: number, body: unknown, calls: Array<{ url: string; init: RequestInit }>) {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  }) as unknown as typeof fetch
}

afterEach(() => configureApi({ fetchFn: fetch, onUnauthorized: () => {}, cookies: () => '' }))

describe('errorMessage', () => {
  it('shows the server detail', () => {
    expect(errorMessage(429, { detail: 'too many login attempts; wait 60 s' })).toBe(
      'too many login attempts; wait 60 s',
    )
  })

  it('joins validation errors with their field', () => {
    const body = { detail: [{ loc: ['body', 'volume'], msg: 'Input should be greater than 0' }] }
    expect(errorMessage(422, body)).toBe('volume: Input should be greater than 0')
  })

  it('falls back to the status', () => {
    expect(errorMessage(502, null)).toBe('HTTP 502')
    expect(errorMessage(500, 'Internal Server Error')).toBe('HTTP 500: Internal Server Error')
  })
})

describe('helpers', () => {
  it('reads the CSRF cookie', () => {
    expect(readCookie('a=1; arbig_csrf=ab%3Dc; z=2', 'arbig_csrf')).toBe('ab=c')
    expect(readCookie('a=1', 'arbig_csrf')).toBeNull()
  })

  it('leaves empty filters out of the query', () => {
    expect(withQuery('/trades', { symbol: 'au2612', side: '', limit: 50, since: null })).toBe(
      '/trades?symbol=au2612&limit=50',
    )
    expect(withQuery('/trades', {})).toBe('/trades')
  })
})

describe('request', () => {
  it('sends the CSRF token on a state-changing request only', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = []
    configureApi({ fetchFn: fakeFetch(200, { ok: 1 }, calls), cookies: () => 'arbig_csrf=tok' })
    await get('/positions')
    await post('/positions/close', { symbol: 'au2612' })
    expect((calls[0]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined()
    expect((calls[1]!.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
    expect(calls[1]!.url).toBe('/api/v1/positions/close')
  })

  it('raises the server message and reports 401 to the app', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = []
    const unauthorized: string[] = []
    configureApi({ fetchFn: fakeFetch(401, { detail: 'login required' }, calls), onUnauthorized: (p) => unauthorized.push(p) })
    await expect(get('/account')).rejects.toThrow('login required')
    expect(unauthorized).toEqual(['/account'])
  })

  it('marks a missing route', async () => {
    configureApi({ fetchFn: fakeFetch(404, { detail: 'Not Found' }, []) })
    const err = await get('/strategy').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).missing).toBe(true)
  })
})
