// "Page load to first live data": a performance mark the browser tests read.

const marked = new Set<string>()

/** Mark the first live value shown on a page (once per page load). */
export function markFirstLive(page: string): void {
  if (marked.has(page) || typeof performance === 'undefined') return
  marked.add(page)
  performance.mark(`arbig:first-live:${page}`)
}
