/**
 * Keap REST hooks (v1): subscriptions, the `X-Hook-Secret` handshake, and batched delivery of
 * contact changes with retries and deactivation (developer.keap.com/rest-hook-documentation;
 * apis-research.md §2.6).
 *
 * - Create and `verify` POST a fresh `X-Hook-Secret` to the hook URL and wait for the answer:
 *   a 200 echoing the same header makes the hook `Verified`; otherwise it stays `Unverified`
 *   until `delayedVerify` sends the secret back (or `verify` is called again).
 * - Only `Verified` hooks receive events. Changes are batched per hook, at most 1,000 object
 *   keys per POST: `{event_key, object_type, object_keys: [{id, apiUrl, timestamp}]}`.
 * - A delivery fails on no answer, a status < 200 or >= 400 (except 410); 4 attempts in all,
 *   then the hook becomes `Inactive` until `verify`. Any 410 deactivates it at once.
 *
 * Sandbox choice: Keap waits 30-60 s before the first attempt and 30-60 s, 5 min and 30 min
 * between retries; the sandbox runs that schedule 1,000 times faster (`HOOK_TIMING`), in real
 * time (timers are unref'd, so they never keep a process alive).
 */
import { randomBytes } from "node:crypto"
import { header, json, noContent, type SandboxResponse } from "@crmkit/sandbox/http"
import type { Router } from "@crmkit/sandbox/router"
import type { KeapApiRequest, KeapRoute } from "./types.ts"

export const KEAP_HOOK_EVENT_KEYS: readonly string[] = [
  "appointment.add",
  "appointment.delete",
  "appointment.edit",
  "company.add",
  "company.delete",
  "company.edit",
  "contact.add",
  "contact.delete",
  "contact.edit",
  "contactGroup.add",
  "contactGroup.applied",
  "contactGroup.delete",
  "contactGroup.edit",
  "contactGroup.removed",
  "invoice.add",
  "invoice.delete",
  "invoice.edit",
  "invoice.payment.add",
  "invoice.payment.delete",
  "invoice.payment.edit",
  "leadsource.add",
  "leadsource.delete",
  "leadsource.edit",
  "note.add",
  "note.delete",
  "note.edit",
  "opportunity.add",
  "opportunity.delete",
  "opportunity.edit",
  "opportunity.stage_move",
  "order.add",
  "order.delete",
  "order.edit",
  "product.add",
  "product.delete",
  "product.edit",
  "subscription.add",
  "subscription.delete",
  "subscription.edit",
  "task.add",
  "task.complete",
  "task.delete",
  "task.edit",
  "task.incomplete",
  "user.activate",
  "user.add",
  "user.edit",
]

export const HOOK_TIMING = {
  /** Wait before the first attempt (Keap: 30-60 s). */
  batchDelayMs: 40,
  /** Waits before attempts 2, 3 and 4 (Keap: 30-60 s, 5 min, 30 min). */
  retryDelaysMs: [40, 300, 1_800] as readonly number[],
  /** An attempt with no answer in this time failed (Keap: 30 s). */
  timeoutMs: 3_000,
  maxObjectKeys: 1_000,
} as const

export type HookStatus = "Unverified" | "Verified" | "Inactive"

interface StoredHook {
  key: string
  eventKey: string
  hookUrl: string
  status: HookStatus
  secret: string | undefined
}

interface PendingKey {
  readonly id: number
  readonly apiUrl: string
  readonly timestamp: string
}

/** What the sandbox has POSTed to hook URLs, for tests. */
export interface HookAttempt {
  readonly key: string
  readonly kind: "handshake" | "delivery"
  readonly attempt: number
  readonly objectKeys: number
  readonly outcome: number | "timeout" | "error"
}

export class KeapHooks {
  readonly #hooks = new Map<string, StoredHook>()
  readonly #pending = new Map<string, PendingKey[]>()
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  readonly attempts: HookAttempt[] = []
  readonly #now: () => number
  readonly #apiBase: () => string

  constructor(now: () => number, apiBase: () => string) {
    this.#now = now
    this.#apiBase = apiBase
  }

  list(): readonly StoredHook[] {
    return [...this.#hooks.values()]
  }

  /** Records a change (e.g. `contact.edit`, id 42) for every Verified hook on that event. */
  emit(eventKey: string, id: string): void {
    const [type] = eventKey.split(".")
    const objectKey: PendingKey = {
      id: Number(id),
      apiUrl: `${this.#apiBase()}/v1/${type}s/${id}`,
      timestamp: new Date(this.#now()).toISOString(),
    }
    for (const hook of this.#hooks.values()) {
      if (hook.status !== "Verified" || hook.eventKey !== eventKey) continue
      const queue = this.#pending.get(hook.key)
      if (queue !== undefined) {
        queue.push(objectKey)
        continue
      }
      this.#pending.set(hook.key, [objectKey])
      this.#later(HOOK_TIMING.batchDelayMs, () => this.#flush(hook.key))
    }
  }

  /** Stops every scheduled delivery. */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      run()
    }, ms)
    timer.unref()
    this.#timers.add(timer)
  }

  #flush(key: string): void {
    const queue = this.#pending.get(key) ?? []
    this.#pending.delete(key)
    for (let i = 0; i < queue.length; i += HOOK_TIMING.maxObjectKeys) {
      void this.#deliver(key, queue.slice(i, i + HOOK_TIMING.maxObjectKeys), 1)
    }
  }

  async #post(url: string, headers: Record<string, string>, body: unknown): Promise<Response | "timeout" | "error"> {
    try {
      return await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(HOOK_TIMING.timeoutMs),
      })
    } catch (error) {
      return (error as Error).name === "TimeoutError" ? "timeout" : "error"
    }
  }

  async #deliver(key: string, keys: readonly PendingKey[], attempt: number): Promise<void> {
    const hook = this.#hooks.get(key)
    if (hook === undefined || hook.status !== "Verified") return
    const [objectType] = hook.eventKey.split(".")
    const answer = await this.#post(
      hook.hookUrl,
      {},
      { event_key: hook.eventKey, object_type: objectType, object_keys: keys },
    )
    if (typeof answer !== "string") await answer.body?.cancel()
    const outcome = typeof answer === "string" ? answer : answer.status
    this.attempts.push({ key, kind: "delivery", attempt, objectKeys: keys.length, outcome })
    if (outcome === 410) {
      hook.status = "Inactive"
      return
    }
    if (typeof outcome === "number" && outcome >= 200 && outcome < 400) return
    const wait = HOOK_TIMING.retryDelaysMs[attempt - 1]
    if (wait === undefined) {
      hook.status = "Inactive"
      return
    }
    this.#later(wait, () => void this.#deliver(key, keys, attempt + 1))
  }

  /** POSTs a fresh secret to the hook URL; Verified when the answer is 200 and echoes it. */
  async handshake(hook: StoredHook): Promise<void> {
    const secret = randomBytes(24).toString("hex")
    hook.secret = secret
    const answer = await this.#post(hook.hookUrl, { "X-Hook-Secret": secret }, {})
    if (typeof answer !== "string") await answer.body?.cancel()
    const outcome = typeof answer === "string" ? answer : answer.status
    this.attempts.push({ key: hook.key, kind: "handshake", attempt: 1, objectKeys: 0, outcome })
    if (typeof answer !== "string" && answer.status === 200 && answer.headers.get("x-hook-secret") === secret) {
      hook.status = "Verified"
    } else if (hook.status !== "Verified") {
      hook.status = "Unverified"
    }
  }

  create(eventKey: string, hookUrl: string): StoredHook {
    const hook: StoredHook = {
      key: String(this.#hooks.size + 1 + Math.floor(this.#now() % 1000) * 1000),
      eventKey,
      hookUrl,
      status: "Unverified",
      secret: undefined,
    }
    while (this.#hooks.has(hook.key)) hook.key = String(Number(hook.key) + 1)
    this.#hooks.set(hook.key, hook)
    return hook
  }

  get(key: string): StoredHook | undefined {
    return this.#hooks.get(key)
  }

  delete(key: string): boolean {
    this.#pending.delete(key)
    return this.#hooks.delete(key)
  }
}

const v1Error = (status: number, message: string): SandboxResponse => json(status, { message })

const view = (hook: StoredHook) => ({
  key: hook.key,
  eventKey: hook.eventKey,
  hookUrl: hook.hookUrl,
  status: hook.status,
})

function validateRequest(body: unknown): { eventKey: string; hookUrl: string } | SandboxResponse {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return v1Error(400, "Request body must be a JSON object")
  }
  const { eventKey, hookUrl } = body as Record<string, unknown>
  if (typeof eventKey !== "string" || !KEAP_HOOK_EVENT_KEYS.includes(eventKey)) {
    return v1Error(400, `Invalid eventKey '${String(eventKey)}'`)
  }
  if (typeof hookUrl !== "string") return v1Error(400, "hookUrl is required")
  try {
    const url = new URL(hookUrl)
    if (url.protocol !== "http:" && url.protocol !== "https:") return v1Error(400, "hookUrl must be http(s)")
  } catch {
    return v1Error(400, `Invalid hookUrl '${hookUrl}'`)
  }
  return { eventKey, hookUrl }
}

export function registerHooks(router: Router<KeapRoute>, hooks: KeapHooks, base: string): void {
  const find = (key: string) => hooks.get(key) ?? v1Error(404, `Hook ${key} not found`)
  const isHook = (value: StoredHook | SandboxResponse): value is StoredHook => "eventKey" in value
  router
    .add("GET", `${base}/v1/hooks/event_keys`, { auth: "api", handle: () => json(200, KEAP_HOOK_EVENT_KEYS) })
    .add("GET", `${base}/v1/hooks`, { auth: "api", handle: () => json(200, hooks.list().map(view)) })
    .add("POST", `${base}/v1/hooks`, {
      auth: "api",
      handle: async ({ ctx }: KeapApiRequest) => {
        const valid = validateRequest(ctx.body)
        if ("status" in valid) return valid
        const hook = hooks.create(valid.eventKey, valid.hookUrl)
        await hooks.handshake(hook)
        return json(200, view(hook))
      },
    })
    .add("GET", `${base}/v1/hooks/:key`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) => {
        const hook = find(params.key as string)
        return isHook(hook) ? json(200, view(hook)) : hook
      },
    })
    .add("PUT", `${base}/v1/hooks/:key`, {
      auth: "api",
      handle: async ({ ctx, params }: KeapApiRequest) => {
        const hook = find(params.key as string)
        if (!isHook(hook)) return hook
        const valid = validateRequest(ctx.body)
        if ("status" in valid) return valid
        const urlChanged = valid.hookUrl !== hook.hookUrl
        hook.eventKey = valid.eventKey
        hook.hookUrl = valid.hookUrl
        if (urlChanged) {
          hook.status = "Unverified"
          await hooks.handshake(hook)
        }
        return json(200, view(hook))
      },
    })
    .add("DELETE", `${base}/v1/hooks/:key`, {
      auth: "api",
      handle: ({ params }: KeapApiRequest) =>
        hooks.delete(params.key as string) ? noContent() : v1Error(404, `Hook ${params.key} not found`),
    })
    .add("POST", `${base}/v1/hooks/:key/verify`, {
      auth: "api",
      handle: async ({ params }: KeapApiRequest) => {
        const hook = find(params.key as string)
        if (!isHook(hook)) return hook
        if (hook.status === "Inactive") hook.status = "Unverified"
        await hooks.handshake(hook)
        return json(200, view(hook))
      },
    })
    .add("POST", `${base}/v1/hooks/:key/delayedVerify`, {
      auth: "api",
      handle: ({ ctx, params }: KeapApiRequest) => {
        const hook = find(params.key as string)
        if (!isHook(hook)) return hook
        const secret = header(ctx, "x-hook-secret")
        if (secret === undefined || hook.secret === undefined || secret !== hook.secret) {
          return v1Error(400, "X-Hook-Secret does not match the secret sent to the hook URL")
        }
        hook.status = "Verified"
        return json(200, view(hook))
      },
    })
}
