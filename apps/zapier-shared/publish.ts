/**
 * Publishing a crmkit Zapier app, step by step, run in the app's folder
 * (`pnpm zapier:publish <step>`). Everything up to the upload is local and tested: the
 * offline validation, the bundle and build.zip staged in `.cache/zapier-build/`. The steps
 * that talk to Zapier (`register`, `env`, `push`, `invite`, `promote`, `migrate`) run
 * `zapier-platform` with your deploy key (`zapier-platform login`, or ZAPIER_DEPLOY_KEY);
 * `--dry-run` prints each command instead, secrets redacted.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { buildZip, type Variant, validate } from "./testing/ZapierCli.ts"

const usage = `usage: pnpm zapier:publish <step> [--variant oauth|key] [--dry-run]
  stage                          validate offline, bundle, build build.zip (no network)
  register "<title>"             create the private integration once; links this folder (.zapierapprc)
  env <version> NAME=value ...   set a version's environment (CLIENT_ID, CLIENT_SECRET, ...)
  push                           stage, then upload the staged build.zip and source.zip
  invite <email> [<version>]     invite someone to the private integration
  promote <version>              make a version the one new users get
  migrate <from> <to> [<percent>]  move existing users to another version`

class UsageFailure extends Error {}

const argv = process.argv.slice(2)
const dryRun = argv.includes("--dry-run")
const variantAt = argv.indexOf("--variant")
const variant = (variantAt >= 0 ? argv[variantAt + 1] : "oauth") as Variant
const words = argv.filter((arg, i) => !arg.startsWith("--") && (variantAt < 0 || i !== variantAt + 1))
const [step, ...rest] = words
const appDir = process.cwd()

/** `NAME=value` with the value hidden: what a log may show of an environment setting. */
const redact = (arg: string) => (/^[A-Z][A-Z0-9_]*=/.test(arg) ? `${arg.split("=")[0]}=<redacted>` : arg)

const zapier = (args: ReadonlyArray<string>, cwd: string) => {
  const bin = join(appDir, "node_modules", ".bin", "zapier-platform")
  const shown = `zapier-platform ${args.map(redact).join(" ")}`
  if (dryRun) {
    process.stdout.write(`would run: ${shown}   (in ${cwd})\n`)
    return
  }
  process.stderr.write(`running: ${shown}\n`)
  const result = spawnSync(bin, args, { cwd, stdio: "inherit", env: { ...process.env, DISABLE_ZAPIER_ANALYTICS: "1" } })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const need = (count: number, what: string) => {
  if (rest.length < count) throw new UsageFailure(`${step} needs ${what}`)
}

const stage = () => {
  validate(appDir, variant)
  const zip = buildZip(appDir, variant)
  process.stdout.write(`staged ${variant} build: ${zip}\n`)
  return dirname(dirname(zip))
}

try {
  if (variant !== "oauth" && variant !== "key") throw new UsageFailure(`--variant is oauth or key, not ${variant}`)
  switch (step) {
    case "stage":
      stage()
      break
    case "register":
      need(1, "the integration's title")
      zapier(["register", rest[0]!], appDir)
      break
    case "env":
      need(2, "a version and NAME=value settings")
      for (const setting of rest.slice(1)) {
        if (!/^[A-Z][A-Z0-9_]*=./.test(setting)) throw new UsageFailure(`env takes NAME=value, not ${redact(setting)}`)
      }
      zapier(["env:set", ...rest], appDir)
      break
    case "push": {
      if (!dryRun && !existsSync(join(appDir, ".zapierapprc"))) throw new UsageFailure("register the integration first")
      zapier(["upload"], stage())
      break
    }
    case "invite":
      need(1, "an email address")
      zapier(["users:add", ...rest], appDir)
      break
    case "promote":
      need(1, "a version")
      zapier(["promote", rest[0]!], appDir)
      break
    case "migrate":
      need(2, "the versions to move from and to")
      zapier(["migrate", ...rest], appDir)
      break
    default:
      throw new UsageFailure(step === undefined ? "name a step" : `unknown step ${step}`)
  }
} catch (error) {
  if (!(error instanceof UsageFailure)) throw error
  process.stderr.write(`error: ${error.message}\n${usage}\n`)
  process.exit(2)
}
