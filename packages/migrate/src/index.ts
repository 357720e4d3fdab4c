export * as Engine from "./Engine.ts"
export * as Mapping from "./Mapping.ts"
export * as Model from "./Model.ts"
export * as State from "./State.ts"
