/**
 * One process holding a shared OAuth credential: authorizes `requests` requests with an
 * OAuth2 credential kept in the store named on the command line, and prints the access
 * tokens it used. Started several times at once by the cross-process tests.
 *
 *   node refreshWorker.ts '{"store":"redis","url":"redis://...","tokenUrl":"http://.../token",...}'
 */
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, HttpClientRequest } from "effect/http"
import { Credentials, OAuth2, TokenStore } from "../../src/index.ts"
import * as TokenStoreRedis from "../../src/TokenStoreRedis.ts"

interface WorkerConfig {
  readonly store: "redis" | "file"
  /** Redis URL or token file path. */
  readonly location: string
  readonly prefix?: string
  readonly encryptionKey?: string
  readonly tokenUrl: string
  readonly storeKey: string
  readonly requests: number
}

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig

const store =
  config.store === "redis"
    ? TokenStoreRedis.layer({
        url: config.location,
        prefix: config.prefix,
        encryptionKey: config.encryptionKey === undefined ? "none" : Redacted.make(config.encryptionKey),
      })
    : TokenStore.layerFile(config.location)

const credentials = OAuth2.layerCredentials({
  provider: "test",
  storeKey: config.storeKey,
  renew: OAuth2.renewWithRefreshToken({
    provider: "test",
    tokenUrl: config.tokenUrl,
    clientId: "client-1",
    clientSecret: Redacted.make("client-secret-value-123"),
    clientAuthentication: "basic",
  }),
}).pipe(Layer.provide(store), Layer.provide(FetchHttpClient.layer))

const program = Effect.gen(function* () {
  const auth = yield* Credentials.Credentials
  const requests = Array.from({ length: config.requests }, () => HttpClientRequest.get("http://api.test/x"))
  const authorized = yield* Effect.forEach(requests, (request) => auth.authorize(request), {
    concurrency: "unbounded",
  })
  return authorized.map(({ request }) => request.headers.authorization)
})

Effect.runPromise(program.pipe(Effect.provide(credentials))).then(
  (authorizations) => {
    process.stdout.write(`${JSON.stringify({ authorizations })}\n`)
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exitCode = 1
  },
)
