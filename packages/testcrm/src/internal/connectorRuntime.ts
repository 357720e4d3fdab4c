/** The loaded half of TestCRM's connector. */
import { type Connector, Credentials, CrmErrors } from "@crmkit/core"
import { Context, Effect, Layer } from "effect"
import { actions } from "../TestCrmActions.ts"
import * as TestCrmClient from "../TestCrmClient.ts"
import { connector } from "../TestCrmConnector.ts"
import { operations, registry } from "../TestCrmOperations.ts"
import { records } from "../TestCrmRecords.ts"
import { receiver } from "../TestCrmWebhooks.ts"

export const runtime: Connector.Runtime<TestCrmClient.TestCrmClient> = {
  connector,
  client: (options) => TestCrmClient.layer({ baseUrl: options.baseUrl }),
  crmClient: (services) => Context.getUnsafe(services, TestCrmClient.TestCrmClient),
  keyCredentials: (kind, secret) =>
    kind === "key"
      ? Credentials.layerApiKeyHeader({ header: TestCrmClient.defaults.apiKeyHeader, key: secret, kind: "key" })
      : Layer.effect(
          Credentials.Credentials,
          Effect.fail(
            CrmErrors.invalidInput("testcrm", [{ field: "kind", message: `TestCRM keys are "key", not ${kind}` }]),
          ),
        ),
  accessTokenCredentials: (token) =>
    Credentials.layerApiKeyHeader({ header: TestCrmClient.defaults.apiKeyHeader, key: token, kind: "key" }),
  actions,
  catalog: async () => Object.values(operations),
  operations: async () => registry,
  webhooks: receiver,
  records,
}
