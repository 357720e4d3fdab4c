/** The simulator's tests use the kit's test helpers (the server with both simulators). */
export * from "../../../sandbox/test/support.ts"
