// The broker session's steps (CTP) as the System page shows them: in order, each with
// its state, and the step the session waits in or failed at.
export interface SessionStep {
  name: string
  state: string
  detail?: string
  at?: string | null
}

export interface SettlementStatement {
  trading_day: string
  text: string
  received_at: string
}

/** The steps from a health answer (none for a gateway without a broker session). */
export function sessionSteps(health: { session?: unknown } | null | undefined): SessionStep[] {
  const raw = health?.session
  if (!Array.isArray(raw)) return []
  return raw.filter(
    (s): s is SessionStep =>
      typeof s === 'object' && s !== null && typeof (s as SessionStep).name === 'string',
  )
}

/** The first step that is not done: where the session waits, or where it failed. */
export function currentStep(steps: SessionStep[]): SessionStep | null {
  return steps.find((s) => s.state === 'failed') ?? steps.find((s) => s.state !== 'done') ?? null
}
