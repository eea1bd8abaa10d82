// The positions reconciliation (GET /risk/reconciliation) and the broker's positions
// accepted (POST /risk/reconciliation/accept), typed from the OpenAPI document.
import type { components } from '../../api/schema'

type Schemas = components['schemas']

export type Reconciliation = Schemas['ReconciliationOut']
export type Difference = Schemas['DifferenceOut']
export type Accepted = Schemas['AcceptedOut']

/** Lots the adjustment adds to the book's leg (negative: removes): broker less book. */
export function adjustment(d: Difference): number {
  return d.broker - d.book
}

/** Whether there is anything for the operator to accept. */
export function needsAcceptance(r: Reconciliation | null): boolean {
  return !!r && (r.halted !== null || r.differences.length > 0)
}
