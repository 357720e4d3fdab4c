import { buildPackage } from "@crmkit/n8n-shared/build"

await buildPackage(import.meta.dirname)
