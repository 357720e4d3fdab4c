/** An HTTP endpoint in the test process that workflows POST their items to. */
import { createServer, type Server } from "node:http"

export class Collector {
  readonly received: Array<{ readonly path: string; readonly body: Record<string, unknown> }> = []
  #server: Server | undefined
  url = ""

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      let text = ""
      request.on("data", (chunk) => {
        text += String(chunk)
      })
      request.on("end", () => {
        this.received.push({ path: request.url ?? "", body: JSON.parse(text || "{}") as Record<string, unknown> })
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve))
    const address = this.#server.address()
    if (address === null || typeof address === "string") throw new Error("collector has no port")
    this.url = `http://127.0.0.1:${address.port}`
  }

  /** Waits until `predicate` holds for the received items, or fails after `timeoutMs`. */
  async waitFor(
    predicate: (items: ReadonlyArray<Record<string, unknown>>) => boolean,
    path: string,
    timeoutMs = 30_000,
  ): Promise<ReadonlyArray<Record<string, unknown>>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const items = this.received.filter((r) => r.path === path).map((r) => r.body)
      if (predicate(items)) return items
      if (Date.now() > deadline) throw new Error(`collector ${path}: condition not met; got ${JSON.stringify(items)}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve))
  }
}

/** A free TCP port on 127.0.0.1 (released at once). */
export const freePort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === "string") throw new Error("no free port")
  return address.port
}
