import { config } from "@crmkit/n8n-shared/eslint"

export default config
