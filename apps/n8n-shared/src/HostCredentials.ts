/**
 * `Credentials` for requests that n8n authenticates (see HostHttpClient): the core adds
 * nothing and never refreshes, since n8n refreshes OAuth tokens and stores the new pair.
 */
import { Credentials } from "@crmkit/core"
import { Effect, Layer } from "effect"

export const layer = (options: {
  /** The provider's name for the kind of credential (`oauth2`, `pat`, `pit`): picks the rate-limit windows. */
  readonly kind: string
  /** Rate-limit budget key: one credential's requests share one budget. */
  readonly budget: string
}): Layer.Layer<Credentials.Credentials> =>
  Layer.succeed(Credentials.Credentials, {
    kind: options.kind,
    id: options.budget,
    budget: options.budget,
    authorize: (request) => Effect.succeed({ request, generation: 0 }),
    refresh: () => Effect.succeed(false),
  })
