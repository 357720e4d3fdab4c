import { makeApp } from "./app.ts"
import { oauth2 } from "./authentication.ts"

export default makeApp(oauth2)
