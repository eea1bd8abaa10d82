// Keep the page smooth under a fast stream: many updates between two frames
// become one (the newest), applied once per animation frame.

export type Schedule = (fn: () => void) => unknown

const nextFrame: Schedule = (fn) =>
  typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => fn()) : setTimeout(fn, 16)

export class Coalescer<T> {
  private latest: T | undefined
  private pending = false
  /** updates received / applied, for the performance figures */
  received = 0
  applied = 0

  constructor(
    private readonly apply: (value: T) => void,
    private readonly schedule: Schedule = nextFrame,
  ) {}

  push(value: T): void {
    this.received += 1
    this.latest = value
    if (this.pending) return
    this.pending = true
    this.schedule(() => this.flush())
  }

  flush(): void {
    if (!this.pending) return
    this.pending = false
    const v = this.latest as T
    this.latest = undefined
    this.applied += 1
    this.apply(v)
  }
}
