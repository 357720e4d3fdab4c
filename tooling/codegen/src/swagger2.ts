/**
 * The minimal Swagger 2.0 → OpenAPI 3.0 conversion the generator needs: paths,
 * parameters (body and formData become a request body), responses, definitions and
 * `$ref`s. Swagger 2 security definitions, examples and headers are dropped.
 */

type Json = any

const SCHEMA_KEYS = [
  "type",
  "format",
  "items",
  "enum",
  "default",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "multipleOf",
] as const

const rewriteRefs = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (value === null || typeof value !== "object") return value
  const out: Record<string, Json> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$ref" && typeof inner === "string") {
      out[key] = inner
        .replace(/#\/definitions\//, "#/components/schemas/")
        .replace(/#\/parameters\//, "#/components/parameters/")
        .replace(/#\/responses\//, "#/components/responses/")
    } else if (key === "x-nullable") {
      out.nullable = inner
    } else {
      out[key] = rewriteRefs(inner)
    }
  }
  return out
}

const convertParameter = (parameter: Json): Json => {
  if (parameter.$ref !== undefined) return parameter
  const schema: Record<string, Json> = {}
  for (const key of SCHEMA_KEYS) if (parameter[key] !== undefined) schema[key] = parameter[key]
  const out: Record<string, Json> = { name: parameter.name, in: parameter.in, schema }
  if (parameter.description !== undefined) out.description = parameter.description
  if (parameter.required !== undefined) out.required = parameter.required
  if (
    parameter.collectionFormat === "csv" ||
    (parameter.type === "array" && parameter.collectionFormat === undefined)
  ) {
    out.explode = false
  }
  return out
}

const convertOperation = (operation: Json, consumes: ReadonlyArray<string>, produces: ReadonlyArray<string>): Json => {
  const { parameters = [], responses = {}, consumes: opConsumes, produces: opProduces, ...rest } = operation
  const requestTypes: ReadonlyArray<string> = opConsumes ?? consumes
  const responseTypes: ReadonlyArray<string> = opProduces ?? produces
  const out: Record<string, Json> = { ...rest }
  const params: Array<Json> = []
  const form: { properties: Record<string, Json>; required: Array<string> } = { properties: {}, required: [] }
  for (const parameter of parameters as ReadonlyArray<Json>) {
    if (parameter.in === "body") {
      out.requestBody = {
        ...(parameter.description === undefined ? {} : { description: parameter.description }),
        required: parameter.required === true,
        content: Object.fromEntries(
          (requestTypes.length === 0 ? ["application/json"] : requestTypes).map((type) => [
            type,
            { schema: parameter.schema },
          ]),
        ),
      }
    } else if (parameter.in === "formData") {
      const { schema } = convertParameter(parameter)
      form.properties[parameter.name] = parameter.type === "file" ? { type: "string", format: "binary" } : schema
      if (parameter.required === true) form.required.push(parameter.name)
    } else {
      params.push(convertParameter(parameter))
    }
  }
  if (Object.keys(form.properties).length > 0) {
    const type = requestTypes.includes("multipart/form-data")
      ? "multipart/form-data"
      : "application/x-www-form-urlencoded"
    out.requestBody = {
      required: form.required.length > 0,
      content: { [type]: { schema: { type: "object", properties: form.properties, required: form.required } } },
    }
  }
  if (params.length > 0) out.parameters = params
  out.responses = Object.fromEntries(
    Object.entries(responses as Record<string, Json>).map(([code, response]) => {
      if (response.$ref !== undefined) return [code, response]
      const { schema, headers: _headers, examples: _examples, ...restResponse } = response
      return [
        code,
        schema === undefined
          ? restResponse
          : {
              ...restResponse,
              content: Object.fromEntries(
                (responseTypes.length === 0 ? ["application/json"] : responseTypes).map((type) => [type, { schema }]),
              ),
            },
      ]
    }),
  )
  return out
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const

export const isSwagger2 = (document: Json): boolean => document?.swagger === "2.0"

/** Converts a (patched) Swagger 2.0 document to the OpenAPI 3.0 shapes the generator reads. */
export const swagger2ToOpenApi3 = (document: Json): Json => {
  const doc = rewriteRefs(document)
  const consumes: ReadonlyArray<string> = doc.consumes ?? []
  const produces: ReadonlyArray<string> = doc.produces ?? []
  const paths: Record<string, Json> = {}
  for (const [path, item] of Object.entries(doc.paths ?? {}) as Array<[string, Json]>) {
    const converted: Record<string, Json> = {}
    if (item.parameters !== undefined) converted.parameters = item.parameters.map(convertParameter)
    for (const method of METHODS) {
      if (item[method] !== undefined) converted[method] = convertOperation(item[method], consumes, produces)
    }
    paths[path] = converted
  }
  const scheme = (doc.schemes as ReadonlyArray<string> | undefined)?.[0] ?? "https"
  return {
    openapi: "3.0.0",
    info: doc.info,
    servers: doc.host === undefined ? [] : [{ url: `${scheme}://${doc.host}${doc.basePath ?? ""}` }],
    tags: doc.tags,
    paths,
    components: {
      schemas: doc.definitions ?? {},
      parameters: Object.fromEntries(
        Object.entries(doc.parameters ?? {}).map(([name, parameter]) => [name, convertParameter(parameter)]),
      ),
    },
  }
}
