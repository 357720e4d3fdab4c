/**
 * The sandbox clock: wall-clock time plus an offset that tests can move forward.
 *
 * Everything time-dependent in the sandbox (token expiry, rate-limit windows, authorization-code
 * lifetimes, create/update timestamps) reads this clock, so `clock.advance(ms)` expires a token or
 * resets a window instantly instead of making a test sleep. `clock.freeze()` stops it, so a test
 * that counts requests in a one-second window cannot straddle a window boundary by accident.
 */
export class SandboxClock {
  #offsetMs = 0
  #frozenAt: number | undefined

  /** Current sandbox time in epoch milliseconds. */
  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offsetMs
  }

  /** Moves sandbox time forward (or backward, with a negative value). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock.advance expects a finite number of milliseconds, got ${ms}`)
    if (this.#frozenAt !== undefined) this.#frozenAt += ms
    else this.#offsetMs += ms
  }

  /** Stops the clock at `atMs` (default: now); only `advance` moves it until `resume()`. */
  freeze(atMs: number = this.now()): void {
    this.#frozenAt = atMs
  }

  /** Lets time flow again from the frozen instant. */
  resume(): void {
    if (this.#frozenAt === undefined) return
    this.#offsetMs = this.#frozenAt - Date.now()
    this.#frozenAt = undefined
  }

  get frozen(): boolean {
    return this.#frozenAt !== undefined
  }

  /** How far the sandbox clock is ahead of the wall clock. */
  get offsetMs(): number {
    return this.now() - Date.now()
  }

  /** Puts the sandbox clock back on wall-clock time. */
  reset(): void {
    this.#offsetMs = 0
    this.#frozenAt = undefined
  }
}
