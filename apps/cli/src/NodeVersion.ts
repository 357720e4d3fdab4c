/** The oldest Node the CLI runs on: package.json's `engines.node` says the same (a test checks). */
export const minimum = { major: 22, minor: 19 }

/** Why this Node cannot run the CLI, or undefined when it can. */
export const requiredNode = (version: string): string | undefined => {
  const [major = 0, minor = 0] = version.split(".").map(Number)
  const enough = major > minimum.major || (major === minimum.major && minor >= minimum.minor)
  return enough
    ? undefined
    : `crmkit needs Node.js ${minimum.major}.${minimum.minor} or newer; this is Node.js ${version}.`
}
