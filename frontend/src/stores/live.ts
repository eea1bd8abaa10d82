// The one live connection of the page: components listen to topics; the
// connection subscribes while anyone listens, and asks listeners to re-fetch
// after a reconnect or a seq gap.

import { reactive } from 'vue'

import type { ServerMessage } from '../lib/messages'
import { MAX_RECONNECT_TRIES } from '../lib/reconnect'
import { MarketSocket, wsUrl, type StatusInfo } from '../lib/socket'
import { settings } from './settings'

export type TopicMessage = Extract<ServerMessage, { type: 'tick' | 'data' }>

export interface Listener {
  onData: (msg: TopicMessage) => void
  /** re-fetch the snapshot: the stream may have missed changes */
  onResync?: () => void
}

export const live = reactive<{ status: StatusInfo; serverError: string | null; resyncs: number }>({
  status: {
    state: 'closed',
    attempt: 0,
    maxAttempts: MAX_RECONNECT_TRIES,
    retryInMs: null,
    retryAt: null,
    lastClose: null,
  },
  serverError: null,
  resyncs: 0,
})

const listeners = new Map<string, Set<Listener>>()
let socket: MarketSocket | null = null
let onPolicyClose: (() => void) | null = null

function resync(topic?: string): void {
  live.resyncs += 1
  const sets = topic ? [listeners.get(topic)] : [...listeners.values()]
  for (const set of sets) for (const l of set ?? []) l.onResync?.()
}

function dispatch(msg: ServerMessage): void {
  if (msg.type === 'tick' || msg.type === 'data') {
    for (const l of listeners.get(msg.topic) ?? []) l.onData(msg)
  } else if (msg.type === 'error') {
    live.serverError = msg.message
  }
}

/** Open the connection (after sign-in). `policyClosed` runs when the server refuses us (1008). */
export function startLive(policyClosed: () => void): void {
  onPolicyClose = policyClosed
  if (socket) return
  socket = new MarketSocket({
    url: wsUrl(window.location),
    topics: [...listeners.keys()],
    maxAttempts: settings.reconnectTries,
    onMessage: dispatch,
    onStatus: (s) => {
      live.status = s
      if (s.state === 'reconnecting' && s.lastClose?.code === 1008) onPolicyClose?.()
    },
    onOpen: (reconnected) => {
      live.serverError = null
      if (reconnected) resync()
    },
    onGap: (topic) => resync(topic),
  })
  socket.start()
}

export function stopLive(): void {
  socket?.stop()
  socket = null
}

export function retryLive(): void {
  socket?.setMaxAttempts(settings.reconnectTries)
  socket?.retryNow()
}

export function setReconnectTries(n: number): void {
  socket?.setMaxAttempts(n)
}

/** Listen to a topic; returns the function that stops listening. */
export function listen(topic: string, listener: Listener): () => void {
  let set = listeners.get(topic)
  if (!set) {
    set = new Set()
    listeners.set(topic, set)
    socket?.subscribe([topic])
  }
  set.add(listener)
  return () => {
    const s = listeners.get(topic)
    if (!s) return
    s.delete(listener)
    if (s.size === 0) {
      listeners.delete(topic)
      socket?.unsubscribe([topic])
    }
  }
}
