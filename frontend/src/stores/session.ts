// Who is signed in. GET /auth/me answers 401 when nobody is.

import { reactive } from 'vue'

import { ApiError, post, readCookie, request } from '../lib/api'

export interface Me {
  operator: string
  via?: string
  csrf_token?: string
  expires?: number
}

export const session = reactive<{ operator: string | null; checked: boolean }>({
  operator: null,
  checked: false,
})

/**
 * True when signed in; asks the server once, then trusts the answer until a
 * 401. When the login's script-readable CSRF cookie is there, the page does
 * not wait for the answer (one round trip less before the first data): the
 * check runs beside it, and a 401 from it or any request shows the login page.
 */
export async function ensureSession(): Promise<boolean> {
  if (session.checked) return session.operator !== null
  if (session.operator === null && readCookie(document.cookie, 'arbig_csrf')) {
    session.operator = ''
    void request<Me>('GET', '/auth/me')
      .then((me) => {
        session.operator = me.operator
        session.checked = true
      })
      .catch(() => undefined) // a 401 went to the app's onUnauthorized hook
    return true
  }
  try {
    const me = await request<Me>('GET', '/auth/me', { quiet401: true })
    session.operator = me.operator
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    session.operator = null
  }
  session.checked = true
  return session.operator !== null
}

export async function login(password: string): Promise<void> {
  const me = await request<Me>('POST', '/auth/login', { body: { password }, quiet401: true })
  session.operator = me.operator
  session.checked = true
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout')
  } finally {
    forgetSession()
  }
}

export function forgetSession(): void {
  session.operator = null
  session.checked = true
}
