import { Command, Flag } from "effect/cli"

/** The root command and the flags every subcommand shares. */
export const root = Command.make("crmkit").pipe(
  Command.withSharedFlags({
    sandbox: Flag.Boolean("sandbox").pipe(
      Flag.withDescription("Run against an in-process sandbox with seeded data (no account needed)"),
      Flag.withDefault(false),
    ),
    baseUrl: Flag.String("base-url").pipe(
      Flag.withDescription("Override the provider's base URL (proxies, API gateways)"),
      Flag.optional,
    ),
    profile: Flag.String("profile").pipe(
      Flag.withDescription("Saved credentials to use (see `crmkit auth`)"),
      Flag.withDefault("default"),
    ),
    progress: Flag.Boolean("progress").pipe(
      Flag.withDescription("Progress of long runs on stderr (default: on a terminal)"),
      Flag.optional,
    ),
    verbose: Flag.Boolean("verbose").pipe(Flag.withDescription("Print error details"), Flag.withDefault(false)),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Check everything, print the request that would be sent (secrets redacted), send nothing"),
      Flag.withDefault(false),
    ),
  }),
  Command.withDescription("crmkit: Keap and HighLevel from a terminal"),
)
