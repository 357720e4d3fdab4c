/**
 * The progress line of long runs, on stderr so that stdout stays clean for data: records
 * written, requests sent (pages, plus any retries) and time spent waiting for rate-limit
 * windows. Redrawn in place on a terminal; with `--progress` on a pipe (logs, CI), one line
 * per second instead.
 */
export interface ProgressStats {
  readonly requests: () => number
  readonly waitedMillis: () => number
}

export interface Progress {
  readonly add: (records: number) => void
  readonly finish: () => void
}

const none: Progress = { add: () => {}, finish: () => {} }

const count = (n: number) => n.toLocaleString("en-US")

export const start = (stats: ProgressStats, enabled: boolean, label = "records"): Progress => {
  if (!enabled) return none
  const terminal = process.stderr.isTTY === true
  const started = Date.now()
  let records = 0
  const line = () => {
    const seconds = (Date.now() - started) / 1000
    const rate = seconds > 0 ? Math.round(records / seconds) : 0
    const waited = (stats.waitedMillis() / 1000).toFixed(1)
    return `${count(records)} ${label} · ${count(stats.requests())} requests · ${waited}s rate-limit waits · ${count(rate)}/s`
  }
  const draw = () => process.stderr.write(terminal ? `\r\x1b[K${line()}` : `progress: ${line()}\n`)
  const timer = setInterval(draw, terminal ? 100 : 1000)
  timer.unref()
  return {
    add: (n) => {
      records += n
    },
    finish: () => {
      clearInterval(timer)
      process.stderr.write(terminal ? `\r\x1b[K${line()}\n` : `progress: ${line()} (done)\n`)
    },
  }
}

/** `--progress` forces it on, `--no-progress` off; by default it shows on a terminal. */
export const enabledBy = (flag: boolean | undefined) => flag ?? process.stderr.isTTY === true
