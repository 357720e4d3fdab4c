/**
 * An exclusive lock between processes: a lock file created with O_EXCL that names its
 * holder (pid, host, a random token). Both CRMs spend a refresh token on use, so two
 * processes refreshing one credential at once log the user out; this is what keeps them
 * in line when they share a token file.
 *
 * A lock is stale, and taken over, when its holder is a dead process on this host, or
 * when its file has not been touched for `staleMs` (the holder touches it every
 * `staleMs / 3` while it works, so only a crashed or frozen holder goes stale; that also
 * covers holders on other machines sharing a network folder).
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import { Duration, Effect, Schedule, type Scope } from "effect"

export interface FileLockOptions {
  /** Untouched this long, a lock is taken over. Default 10 seconds. */
  readonly staleMs?: number | undefined
  /** Give up waiting after this long. Default 60 seconds. */
  readonly timeoutMs?: number | undefined
}

export interface LockHolder {
  readonly pid: number
  readonly host: string
  readonly token: string
  readonly since: number
}

export class FileLockError extends Error {
  override readonly name = "FileLockError"
}

const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException | undefined)?.code === code

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isCode(error, "EPERM")
  }
}

const readHolder = async (lockPath: string): Promise<{ holder?: LockHolder; touchedAt: number } | undefined> => {
  try {
    const [text, stat] = await Promise.all([fs.readFile(lockPath, "utf8"), fs.stat(lockPath)])
    let holder: LockHolder | undefined
    try {
      holder = JSON.parse(text) as LockHolder
    } catch {
      // Half-written by a holder that died between open and write: judged by age alone.
    }
    return { ...(holder === undefined ? {} : { holder }), touchedAt: stat.mtimeMs }
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined
    throw error
  }
}

const isStale = (found: { holder?: LockHolder; touchedAt: number }, staleMs: number, now: number) => {
  if (now - found.touchedAt > staleMs) return true
  const holder = found.holder
  return holder !== undefined && holder.host === os.hostname() && holder.pid !== process.pid && !isAlive(holder.pid)
}

/**
 * Removes a stale lock unless someone replaced it in the meantime: the file is moved
 * aside first (only one mover wins), and put back when it turns out to be a new holder's.
 */
const breakStale = async (lockPath: string, judged: LockHolder | undefined, mine: string) => {
  const aside = `${lockPath}.${mine}.stale`
  try {
    await fs.rename(lockPath, aside)
  } catch (error) {
    if (isCode(error, "ENOENT")) return
    throw error
  }
  const moved = await readHolder(aside)
  if (moved?.holder !== undefined && judged !== undefined && moved.holder.token !== judged.token) {
    await fs.link(aside, lockPath).catch(() => undefined)
  }
  await fs.unlink(aside).catch(() => undefined)
}

const tryCreate = async (lockPath: string, holder: LockHolder): Promise<boolean> => {
  try {
    const handle = await fs.open(lockPath, "wx", 0o600)
    try {
      await handle.writeFile(JSON.stringify(holder))
    } finally {
      await handle.close()
    }
    return true
  } catch (error) {
    if (isCode(error, "EEXIST")) return false
    throw error
  }
}

const release = (lockPath: string, token: string) =>
  Effect.promise(async () => {
    const found = await readHolder(lockPath).catch(() => undefined)
    if (found?.holder?.token === token) await fs.unlink(lockPath).catch(() => undefined)
  })

/**
 * Holds the lock at `lockPath` for the rest of the scope. Waits (with jittered polling)
 * while another live holder has it; fails after `timeoutMs` naming the holder.
 */
export const acquire = (
  lockPath: string,
  options: FileLockOptions = {},
): Effect.Effect<void, FileLockError, Scope.Scope> => {
  const staleMs = options.staleMs ?? 10_000
  const timeoutMs = options.timeoutMs ?? 60_000
  const token = randomBytes(12).toString("hex")
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), token, since: Date.now() }
  const attempt = Effect.tryPromise({
    try: async () => {
      if (await tryCreate(lockPath, { ...holder, since: Date.now() })) return { taken: true as const }
      const found = await readHolder(lockPath)
      if (found === undefined) return { taken: false as const }
      if (isStale(found, staleMs, Date.now())) {
        await breakStale(lockPath, found.holder, token)
        return { taken: false as const }
      }
      return { taken: false as const, ...(found.holder === undefined ? {} : { holder: found.holder }) }
    },
    catch: (cause) => new FileLockError(`could not take the lock ${lockPath}: ${describe(cause)}`),
  })
  const started = Date.now()
  let lastHolder: LockHolder | undefined
  const waitForIt: Effect.Effect<void, FileLockError> = Effect.gen(function* () {
    for (;;) {
      const outcome = yield* attempt
      if (outcome.taken) return
      if (outcome.holder !== undefined) lastHolder = outcome.holder
      if (Date.now() - started > timeoutMs) {
        const who = lastHolder === undefined ? "another process" : `pid ${lastHolder.pid} on ${lastHolder.host}`
        return yield* Effect.fail(
          new FileLockError(
            `${who} has held the lock ${lockPath} for over ${Math.round(timeoutMs / 1000)} s; if no crmkit process is running there, delete that file`,
          ),
        )
      }
      yield* Effect.sleep(Duration.millis(20 + Math.floor(Math.random() * 60)))
    }
  })
  const touch = Effect.promise(async () => {
    const now = new Date()
    await fs.utimes(lockPath, now, now).catch(() => undefined)
  })
  return Effect.acquireRelease(waitForIt, () => release(lockPath, token)).pipe(
    Effect.tap(() =>
      Effect.forkScoped(touch.pipe(Effect.repeat(Schedule.spaced(Duration.millis(Math.max(1, staleMs / 3)))))),
    ),
    Effect.asVoid,
  )
}

const describe = (cause: unknown): string => {
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message
  return String(cause)
}
