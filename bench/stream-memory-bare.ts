/**
 * Reference for the memory benchmark: the same Keap pages read with a bare fetch loop
 * and JSON.parse, no crmkit, so the report shows what Node itself costs.
 * Usage: node bench/stream-memory-bare.ts <baseUrl> <apiKey> <records> <pageSize>
 */
const [baseUrl, apiKey, recordsArg, pageSizeArg] = process.argv.slice(2)
const records = Number(recordsArg)
const started = performance.now()
let count = 0
let token: string | undefined
while (count < records) {
  const url = new URL(`${baseUrl}/v2/contacts`)
  url.searchParams.set("page_size", pageSizeArg!)
  if (token !== undefined) url.searchParams.set("page_token", token)
  const response = await fetch(url, { headers: { "X-Keap-API-Key": apiKey!, accept: "application/json" } })
  if (response.status !== 200) throw new Error(`bare fetch got ${response.status}`)
  const page = (await response.json()) as { contacts: Array<unknown>; next_page_token?: string }
  count += Math.min(page.contacts.length, records - count)
  token = page.next_page_token
  if (!token) break
}
process.stdout.write(
  JSON.stringify({
    records: count,
    seconds: (performance.now() - started) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
)
