// See @crmkit/zapier-shared/bundle: the app as one ESM file in dist/.
import { bundleApp } from "@crmkit/zapier-shared/bundle"

await bundleApp()
