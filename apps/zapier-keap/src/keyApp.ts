import { makeApp } from "./app.ts"
import { apiKey } from "./authentication.ts"

export default makeApp(apiKey)
