/**
 * Per-provider generator configuration, written in `packages/<provider>/codegen.config.ts`
 * (a module whose default export is a `ProviderConfig`, run directly by Node 24).
 */

/** Mirrors `OperationPagination` of `@crmkit/core` (Operation.ts). */
export interface OperationPagination {
  readonly style: "cursor-token" | "offset-limit" | "page-number" | "keyset" | "body-cursor" | "next-url"
  readonly items: string
  readonly params: Readonly<Record<string, string>>
}

/** An operation as read from a spec, before the generator derives anything from it. */
export interface SpecOperation {
  /** The spec's short name (its file base name unless configured). */
  readonly spec: string
  /** Upper-case HTTP method. */
  readonly method: string
  /** The path as written in the spec. */
  readonly path: string
  readonly operationId: string | undefined
  readonly tags: ReadonlyArray<string>
  readonly summary: string | undefined
  /** The raw (patched) operation object. */
  readonly operation: any
}

export interface SpecInput {
  /** Path of the spec file, relative to `specsDir`. */
  readonly file: string
  /** Short name: prefixes duplicate ids and disambiguates schema names (default: file base name). */
  readonly name?: string
  /** Keeps only the operations it returns true for. */
  readonly include?: (operation: SpecOperation) => boolean
  /** Rewrites the spec path into the path relative to the provider's base URL. */
  readonly path?: (path: string) => string
  /** The operation id (default: the spec's operationId, else `method` + path). */
  readonly operationId?: (operation: SpecOperation) => string
}

/** What a pagination rule sees of an operation. */
export interface PaginationContext {
  readonly id: string
  readonly method: string
  readonly path: string
  /** Names of the query parameters. */
  readonly query: ReadonlyArray<string>
  /** Names of the top-level JSON body properties. */
  readonly body: ReadonlyArray<string>
  /** Top-level properties of the 2xx JSON response, with their JSON type (`array`, `string`, `object`...). */
  readonly response: Readonly<Record<string, string>>
  /** Dotted paths of the arrays in the response (top level, then one level down), e.g. `contacts`, `data.items`. */
  readonly responseArrays: ReadonlyArray<string>
  /** Property names of the items of the response array at `path`. */
  readonly itemProperties: (path: string) => ReadonlyArray<string>
}

/** Returns the operation's pagination, or undefined when the rule does not apply. */
export type PaginationRule = (context: PaginationContext) => OperationPagination | undefined

export interface ProviderConfig {
  /** Provider name, e.g. `keap`. */
  readonly provider: string
  /** Where the specs are, relative to the repository root (default `../shared/specs`). */
  readonly specsDir?: string
  readonly specs: ReadonlyArray<SpecInput>
  /** Output directory, relative to the package (default `src/generated`). */
  readonly outDir?: string
  /** RFC 6902 patch directory, relative to the package (default `patches`). */
  readonly patchesDir?: string
  /**
   * What to do with an id used by more than one operation: `prefix-spec` prefixes every
   * such id with its spec's name (`invoices.list-invoices`); `error` stops the generator.
   */
  readonly duplicateIds?: "prefix-spec" | "error"
  /** The resource (group) of an operation, e.g. `contacts`. */
  readonly resource: (operation: SpecOperation) => string
  readonly pagination?: {
    /** Tried in order; the first result wins. */
    readonly rules: ReadonlyArray<PaginationRule>
    /** By operation id: a fixed pagination, or `null` for none. */
    readonly overrides?: Readonly<Record<string, OperationPagination | null>>
  }
  /**
   * Idempotency override. Default: GET, HEAD, PUT, DELETE (and OPTIONS) are idempotent,
   * POST and PATCH are not. Return undefined to keep the default.
   */
  readonly idempotent?: (operation: {
    readonly id: string
    readonly method: string
    readonly path: string
  }) => boolean | undefined
  /** Header parameters whose value is fixed per operation (from the spec's enum/const/default/example). */
  readonly fixedHeaders?: ReadonlyArray<string>
  /** Header parameters left out entirely (default `Authorization`). */
  readonly excludeHeaders?: ReadonlyArray<string>
  /** Security scheme name → token kinds it accepts (operations without a mapping get no `tokenKinds`). */
  readonly tokenKinds?: Readonly<Record<string, ReadonlyArray<string>>>
  /**
   * Context parameters (a value the connection knows, such as GHL's location) by name, with
   * the parameter and top-level body property names that carry them. Each operation's
   * catalog entry lists where it takes each one (`locationId`, `body.locationId`), so that
   * every caller fills them in the same way.
   */
  readonly context?: Readonly<Record<string, ReadonlyArray<string>>>
  /** Split a generated file past this size (default 1,000,000 bytes). */
  readonly maxFileBytes?: number
}

export const defineConfig = (config: ProviderConfig): ProviderConfig => config
