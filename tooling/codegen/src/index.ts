/**
 * @crmkit/codegen: generates operation descriptors (`Operation` of `@crmkit/core`),
 * Effect Schemas and catalogs from OpenAPI 3.0/3.1 and Swagger 2.0 specs.
 */
export type {
  OperationPagination,
  PaginationContext,
  PaginationRule,
  ProviderConfig,
  SpecInput,
  SpecOperation,
} from "./config.ts"
export { defineConfig } from "./config.ts"
export { type CatalogEntry, type GeneratedFile, type GenerateOptions, generate, type Result } from "./generate.ts"
export { applyPatch, loadSpecs, readPatches } from "./load.ts"
export * as rules from "./rules.ts"
export { swagger2ToOpenApi3 } from "./swagger2.ts"
