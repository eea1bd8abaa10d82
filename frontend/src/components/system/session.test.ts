import { describe, expect, it } from 'vitest'

import { currentStep, sessionSteps } from './session'

describe('sessionSteps', () => {
  it('is empty for a gateway without a broker session', () => {
    expect(sessionSteps({ status: 'up' } as { session?: unknown })).toEqual([])
    expect(sessionSteps(null)).toEqual([])
  })

  it('keeps the steps in order and drops what is not a step', () => {
    const steps = sessionSteps({
      session: [{ name: 'front', state: 'done' }, 'junk', { name: 'login', state: 'running' }],
    })
    expect(steps.map((s) => s.name)).toEqual(['front', 'login'])
  })
})

describe('currentStep', () => {
  it('names the failed step before any waiting one', () => {
    const steps = [
      { name: 'front', state: 'done' },
      { name: 'authenticate', state: 'failed', detail: 'CTP error 63' },
      { name: 'login', state: 'waiting' },
    ]
    expect(currentStep(steps)?.name).toBe('authenticate')
  })

  it('is null once every step is done', () => {
    expect(currentStep([{ name: 'front', state: 'done' }])).toBeNull()
  })
})
