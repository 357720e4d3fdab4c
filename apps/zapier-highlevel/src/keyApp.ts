import { makeApp } from "./app.ts"
import { privateIntegrationToken } from "./authentication.ts"

export default makeApp(privateIntegrationToken)
