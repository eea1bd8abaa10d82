// REST calls to the ARBIG web service (JSON under /api/v1): the CSRF header on
// every state-changing request, the server's {"detail"} as the error message,
// and a hook for 401 so the app can show the login page.

export const API = '/api/v1'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
    /** the response's parsed body (a 422's `errors` name the fields) */
    readonly body: unknown = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The route does not exist on this server (yet). */
  get missing(): boolean {
    return this.status === 404 || this.status === 405
  }
}

/** The operator-readable message of an error response body (FastAPI's shapes). */
export function errorMessage(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const detail = (body as { detail?: unknown }).detail
    if (typeof detail === 'string' && detail) return detail
    if (Array.isArray(detail) && detail.length) {
      return detail
        .map((d: unknown) => {
          const e = d as { loc?: unknown; msg?: unknown }
          const loc = Array.isArray(e.loc) ? e.loc.filter((x) => x !== 'body' && x !== 'query').join('.') : ''
          const msg = typeof e.msg === 'string' ? e.msg : JSON.stringify(d)
          return loc ? `${loc}: ${msg}` : msg
        })
        .join('; ')
    }
  }
  if (typeof body === 'string' && body.trim() && body.length < 300) return `HTTP ${status}: ${body.trim()}`
  return `HTTP ${status}`
}

/** The value of a cookie readable by scripts (the CSRF token's `arbig_csrf`). */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return null
}

export type Query = Record<string, string | number | boolean | null | undefined>

/** A path with its query string; empty and null values are left out. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === null || v === undefined || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export interface ApiHooks {
  onUnauthorized?: (path: string) => void
  fetchFn?: typeof fetch
  cookies?: () => string
}

const hooks: ApiHooks = {}

export function configureApi(h: ApiHooks): void {
  Object.assign(hooks, h)
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  opts: { query?: Query; body?: unknown; quiet401?: boolean } = {},
): Promise<T> {
  const url = withQuery(API + path, opts.query)
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (method !== 'GET') {
    const token = readCookie((hooks.cookies ?? (() => document.cookie))(), 'arbig_csrf')
    if (token) headers['X-CSRF-Token'] = token
  }
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const fetchFn = hooks.fetchFn ?? fetch
  let res: Response
  try {
    res = await fetchFn(url, { method, headers, body, credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError(0, `network error: ${e instanceof Error ? e.message : String(e)}`, path)
  }
  const text = await res.text()
  let parsed: unknown = text
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) hooks.onUnauthorized?.(path)
    throw new ApiError(res.status, errorMessage(res.status, parsed), path, parsed)
  }
  return (text ? parsed : null) as T
}

export const get = <T>(path: string, query?: Query): Promise<T> => request<T>('GET', path, { query })
export const post = <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, { body: body ?? {} })
export const put = <T>(path: string, body?: unknown): Promise<T> => request<T>('PUT', path, { body: body ?? {} })
export const del = <T>(path: string): Promise<T> => request<T>('DELETE', path)
