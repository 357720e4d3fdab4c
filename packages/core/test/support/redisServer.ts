import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"

/** A real redis-server on a free loopback port, for the shared rate-limit store tests. */
export interface RedisServer {
  readonly url: string
  readonly stop: () => Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

const findRedisServer = (): string => {
  const configured = process.env.CRMKIT_REDIS_SERVER
  if (configured) return configured
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim()
  } catch {
    throw new Error(
      "redis-server is not installed: the Redis rate-limit tests need it. Run `bash scripts/test.sh`, which installs it.",
    )
  }
}

export const startRedis = async (): Promise<RedisServer> => {
  const binary = findRedisServer()
  const port = await freePort()
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start within 10 s")), 10_000)
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)))
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      }),
  }
}
