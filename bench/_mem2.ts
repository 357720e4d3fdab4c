import { Pagination } from "@crmkit/core"
import { KeapClient } from "@crmkit/keap"
import { Effect, Stream } from "effect"
import { unthrottledKeap } from "./support.ts"

const [u, k, n] = process.argv.slice(2)
let i = 0
await Effect.runPromise(
  KeapClient.KeapClient.use((keap) =>
    Pagination.pages(
      keap,
      { method: "GET", path: "/v2/contacts" },
      Pagination.cursorToken({
        items: "contacts",
        tokenParam: "page_token",
        nextToken: "next_page_token",
        sizeParam: "page_size",
        size: 1000,
      }),
    ).pipe(
      Stream.take(Number(n) / 1000),
      Stream.runForEach(() =>
        Effect.sync(() => {
          if (++i % 100 === 0) {
            ;(globalThis as any).gc?.()
            const m = process.memoryUsage()
            console.log(
              i,
              (m.rss / 1e6).toFixed(0),
              (m.heapUsed / 1e6).toFixed(0),
              (m.external / 1e6).toFixed(0),
              (m.arrayBuffers / 1e6).toFixed(0),
            )
          }
        }),
      ),
    ),
  ).pipe(Effect.provide(unthrottledKeap(u!, k!))),
)
