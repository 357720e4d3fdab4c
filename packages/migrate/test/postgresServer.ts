/**
 * A throwaway PostgreSQL server for tests: its own data directory, a free loopback port, trust
 * authentication for the user `crmkit`. Node built-ins only, so that other packages' tests can
 * import it by relative path.
 *
 * The binaries come from `CRMKIT_POSTGRES_BIN` (set by scripts/ensure-postgres.sh) or Debian's
 * /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root: as root, the data
 * directory belongs to the `postgres` user and initdb/pg_ctl run as it through runuser.
 */
import { execFile, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface PostgresServer {
  /** `postgresql://crmkit@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  readonly url: string
  readonly stop: () => Promise<void>
}

const SUPERUSER = "crmkit"
const HOW_TO_INSTALL = "Run `bash scripts/test.sh` (or source scripts/ensure-postgres.sh), which installs it."

const findBinaries = (): string => {
  const configured = process.env.CRMKIT_POSTGRES_BIN
  if (configured) {
    if (!existsSync(join(configured, "initdb")) || !existsSync(join(configured, "pg_ctl")))
      throw new Error(`CRMKIT_POSTGRES_BIN=${configured} has no initdb and pg_ctl. ${HOW_TO_INSTALL}`)
    return configured
  }
  const root = "/usr/lib/postgresql"
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : []
  const newest = versions[0]
  if (newest === undefined)
    throw new Error(
      `PostgreSQL is not installed (no ${root}/<version>/bin/initdb): the tests need it. ${HOW_TO_INSTALL}`,
    )
  return join(root, newest, "bin")
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

const isRoot = () => process.getuid?.() === 0

const postgresUser = () => {
  const lookup = (flag: string) => {
    const out = spawnSync("id", [flag, "postgres"], { encoding: "utf8" })
    if (out.status !== 0)
      throw new Error(`Running as root, but there is no user "postgres" to run PostgreSQL as. ${HOW_TO_INSTALL}`)
    return Number(out.stdout.trim())
  }
  return { uid: lookup("-u"), gid: lookup("-g") }
}

/** The command line, as the postgres user when we are root (initdb and postgres refuse root). */
const asServerUser = (binary: string, args: ReadonlyArray<string>): [string, Array<string>] =>
  isRoot() ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, [...args]]

const run = (binary: string, args: ReadonlyArray<string>) =>
  new Promise<void>((resolve, reject) => {
    const [command, argv] = asServerUser(binary, args)
    execFile(command, argv, { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } }, (error, stdout, stderr) =>
      error === null
        ? resolve()
        : reject(new Error(`${command} ${argv.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`.trim())),
    )
  })

const logTail = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-30).join("\n") : "(no log written)"

export const startPostgres = async (): Promise<PostgresServer> => {
  const bin = findBinaries()
  const dir = mkdtempSync(join(tmpdir(), "crmkit-pg-"))
  const log = join(dir, "log")
  const pgCtl = join(bin, "pg_ctl")
  let running = false
  const stopNow = (mode: "fast" | "immediate") => {
    if (running) {
      const [command, argv] = asServerUser(pgCtl, ["-D", dir, "-m", mode, "-w", "stop"])
      spawnSync(command, argv, { stdio: "ignore" })
      running = false
    }
    rmSync(dir, { recursive: true, force: true })
  }
  // A test process that ends without calling stop() must not leave a server behind.
  const onExit = () => stopNow("immediate")
  process.once("exit", onExit)
  try {
    if (isRoot()) {
      const { uid, gid } = postgresUser()
      chownSync(dir, uid, gid)
    }
    await run(join(bin, "initdb"), [
      "-D",
      dir,
      "-A",
      "trust",
      "-U",
      SUPERUSER,
      "-E",
      "UTF8",
      "--no-locale",
      "--no-sync",
    ])
    let port = 0
    // The free port can be taken between the probe and the bind: try a few.
    for (let attempt = 1; !running; attempt++) {
      port = await freePort()
      const serverOptions = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off`
      try {
        await run(pgCtl, ["-D", dir, "-o", serverOptions, "-l", log, "-w", "start"])
        running = true
      } catch (error) {
        if (attempt === 3) throw error
      }
    }
    return {
      url: `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`,
      stop: async () => {
        process.removeListener("exit", onExit)
        if (running) await run(pgCtl, ["-D", dir, "-m", "fast", "-w", "stop"])
        running = false
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    const tail = logTail(log)
    process.removeListener("exit", onExit)
    stopNow("immediate")
    throw new Error(
      `Could not start a test PostgreSQL server with ${bin}: ${error instanceof Error ? error.message : String(error)}\n--- server log (tail) ---\n${tail}`,
    )
  }
}
