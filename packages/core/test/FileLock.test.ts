import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Effect, Exit, Option, Redacted } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { TokenStore } from "../src/index.ts"
import * as FileLock from "../src/internal/fileLock.ts"
import { startTokenServer } from "./support/tokenServer.ts"

const support = path.join(import.meta.dirname, "support")
const children: Array<ChildProcess> = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
})

const temporaryDir = () => fs.mkdtemp(path.join(os.tmpdir(), "crmkit-lock-"))

/** Starts a process that takes the lock; resolves once it holds it. */
const holdInChild = async (lockPath: string, holdMs: number, staleMs = 10_000) => {
  const child = spawn(
    process.execPath,
    [path.join(support, "lockHolder.ts"), lockPath, String(holdMs), String(staleMs)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
  children.push(child)
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) resolve()
    })
    child.once("exit", (code) => reject(new Error(`lock holder exited with ${code}: ${stderr}`)))
  })
  return child
}

const acquireHere = (lockPath: string, options: FileLock.FileLockOptions = {}) =>
  Effect.runPromiseExit(Effect.scoped(Effect.map(FileLock.acquire(lockPath, options), () => Date.now())))

describe("FileLock across processes", () => {
  it("waits while another live process holds the lock, and takes it once released", async () => {
    const lockPath = path.join(await temporaryDir(), "a.lock")
    const holder = await holdInChild(lockPath, 700)
    const exited = new Promise<number>((resolve) => holder.once("exit", () => resolve(Date.now())))
    const exit = await acquireHere(lockPath)
    const releasedAt = await exited
    expect(Exit.isSuccess(exit)).toBe(true)
    // We got in only after the holder let go (its exit follows its release by a few ms).
    expect(Exit.isSuccess(exit) ? exit.value : 0).toBeGreaterThanOrEqual(releasedAt - 200)
    await expect(fs.access(lockPath)).rejects.toThrow()
  })

  it("a holder killed with SIGKILL is taken over at once: its pid is dead on this host", async () => {
    const lockPath = path.join(await temporaryDir(), "b.lock")
    const holder = await holdInChild(lockPath, 600_000, 60_000)
    holder.kill("SIGKILL")
    await new Promise((resolve) => holder.once("exit", resolve))
    const started = Date.now()
    const exit = await acquireHere(lockPath, { staleMs: 60_000, timeoutMs: 5_000 })
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it("a lock from another host is taken over once it has gone untouched for staleMs", async () => {
    const lockPath = path.join(await temporaryDir(), "c.lock")
    await fs.writeFile(lockPath, JSON.stringify({ pid: 1, host: "another-machine", token: "t", since: 0 }))
    const started = Date.now()
    const exit = await acquireHere(lockPath, { staleMs: 400, timeoutMs: 5_000 })
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
  })

  it("a live holder keeps its lock past staleMs by touching it", async () => {
    const lockPath = path.join(await temporaryDir(), "d.lock")
    const holder = await holdInChild(lockPath, 1_500, 300)
    const exited = new Promise<number>((resolve) => holder.once("exit", () => resolve(Date.now())))
    const exit = await acquireHere(lockPath, { staleMs: 300, timeoutMs: 10_000 })
    const releasedAt = await exited
    expect(Exit.isSuccess(exit) ? exit.value : 0).toBeGreaterThanOrEqual(releasedAt - 200)
  })

  it("waiting past the timeout is an error naming the holder", async () => {
    const lockPath = path.join(await temporaryDir(), "e.lock")
    const holder = await holdInChild(lockPath, 600_000)
    const exit = await acquireHere(lockPath, { timeoutMs: 300 })
    expect(Exit.isFailure(exit)).toBe(true)
    const text = String(Exit.isFailure(exit) ? exit.cause : "")
    expect(text).toContain(`pid ${holder.pid} on ${os.hostname()}`)
    expect(text).toContain(lockPath)
  })
})

describe("file TokenStore across processes", () => {
  it("four processes writing different pairs at once lose none of them", async () => {
    const file = path.join(await temporaryDir(), "tokens.json")
    const writer = path.join(support, "storeWriter.ts")
    await Promise.all(
      ["a", "b", "c", "d"].map((name) => promisify(execFile)(process.execPath, [writer, file, name, "15"])),
    )
    const keys = await Effect.runPromise(Effect.flatMap(TokenStore.makeFile(file), (store) => store.keys))
    expect(keys).toHaveLength(60)
    expect((await fs.readdir(path.dirname(file))).sort()).toEqual(["tokens.json"])
  })

  it("four processes on one expired credential: exactly one refresh, none refused", async () => {
    const tokens = await startTokenServer()
    tokens.setLatency(300)
    const file = path.join(await temporaryDir(), "tokens.json")
    await Effect.runPromise(
      Effect.flatMap(TokenStore.makeFile(file), (store) =>
        store.set("keap:app-1", {
          accessToken: Redacted.make("access-0"),
          refreshToken: Redacted.make("refresh-0"),
          expiresAt: 0,
        }),
      ),
    )
    const config = JSON.stringify({
      store: "file",
      location: file,
      tokenUrl: tokens.url,
      storeKey: "keap:app-1",
      requests: 5,
    })
    try {
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => promisify(execFile)(process.execPath, [path.join(support, "refreshWorker.ts"), config])),
      )
      const used = results.flatMap((result) => JSON.parse(result.stdout).authorizations as Array<string>)
      expect(used).toHaveLength(20)
      expect(new Set(used)).toEqual(new Set(["Bearer access-1"]))
      expect(tokens.refreshes()).toBe(1)
      expect(tokens.rejected()).toBe(0)
      const saved = await Effect.runPromise(
        Effect.flatMap(TokenStore.makeFile(file), (store) => store.get("keap:app-1")),
      )
      expect(Redacted.value(Option.getOrThrow(saved).refreshToken!)).toBe("refresh-1")
    } finally {
      await tokens.stop()
    }
  }, 30_000)
})
