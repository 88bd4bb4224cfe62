// A partner's scenario written against the client that openapi-typescript generated from the
// gateway's /openapi.json (schema.d.ts) and openapi-fetch: no code of the project. Type-checked
// by tsc before it runs, so a contract that does not match the calls fails here.
//
//   node scenario.js <gateway base URL> <API key>
import createClient from "openapi-fetch";
import type { paths } from "./schema";

// Node's own globals, declared here rather than installing @types/node.
declare const process: { argv: string[]; exit(code: number): never };

const [baseUrl, key] = process.argv.slice(2);
const CATEGORY = "iae";

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

// The key as a bearer token (the OpenAPI document's BearerAuth scheme).
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

// 1. The actors of one network category, every page.
const names: string[] = [];
let placed = 0;  // actors with coordinates: those a GeoJSON export can show
let pageToken = "";
let pages = 0;
do {
  const { data, error, response } = await client.GET("/v1/actors", {
    params: { query: { filter: `network_category: "${CATEGORY}"`, pageSize: 5, pageToken } },
  });
  if (error || !data) fail(`GET /v1/actors: ${response.status} ${JSON.stringify(error)}`);
  for (const actor of data.actors ?? []) {
    if (!(actor.networkCategories ?? []).includes(CATEGORY)) {
      fail(`${actor.name} is not in ${CATEGORY}`);
    }
    names.push(actor.name ?? "");
    if (actor.coordinates) ++placed;
  }
  pageToken = data.nextPageToken ?? "";
  if (++pages > 100) fail("more than 100 pages");
} while (pageToken !== "");
if (names.length === 0) fail(`no actor in category ${CATEGORY}`);
console.log(`actors in category ${CATEGORY}: ${names.length} (${pages} pages of 5), ` +
            `${placed} with coordinates`);

// 2. The change feed, followed from its start until caught up.
let since = "";
let changes = 0;
let calls = 0;
for (;;) {
  const { data, error, response } = await client.GET("/v1/changes", {
    params: { query: { since, pageSize: 50 } },
  });
  if (error || !data) fail(`GET /v1/changes: ${response.status} ${JSON.stringify(error)}`);
  changes += (data.changes ?? []).length;
  if (!data.nextCursor) fail("a change feed page without next_cursor");
  since = data.nextCursor;
  if (data.caughtUp) break;
  if (++calls > 1000) fail("the change feed never caught up");
}
if (changes === 0) fail("the change feed is empty");
// Asked again from the cursor: nothing new, still caught up, same cursor.
{
  const { data } = await client.GET("/v1/changes", { params: { query: { since } } });
  if (!data || (data.changes ?? []).length !== 0 || !data.caughtUp || data.nextCursor !== since) {
    fail(`the feed moved without a write: ${JSON.stringify(data)}`);
  }
}
console.log(`change feed: ${changes} changes followed to caught_up in ${calls + 1} calls`);

// 3. The same category as GeoJSON (a raw google.api.HttpBody answer).
{
  const { data, error, response } = await client.GET("/v1/actors:export", {
    params: { query: { format: "EXPORT_FORMAT_GEOJSON", filter: `network_category: "${CATEGORY}"` } },
    parseAs: "text",
  });
  if (error || data === undefined) fail(`GET /v1/actors:export: ${response.status} ${error}`);
  const geojson = JSON.parse(data);
  if (geojson.type !== "FeatureCollection") fail(`not a FeatureCollection: ${data.slice(0, 200)}`);
  if (placed === 0 || geojson.features.length !== placed) {
    fail(`${geojson.features.length} features for ${placed} actors with coordinates`);
  }
  for (const feature of geojson.features) {
    if (feature.geometry?.type !== "Point") fail(`a feature without a point: ${JSON.stringify(feature)}`);
  }
  console.log(`geojson: ${geojson.features.length} features, ` +
              `content type ${response.headers.get("content-type")}`);
}

// 4. Without a key: 401 in the documented error envelope.
{
  const anonymous = createClient<paths>({ baseUrl });
  const { error, response } = await anonymous.GET("/v1/actors", {});
  if (response.status !== 401) fail(`without a key: ${response.status}`);
  const reason = (error as any)?.error?.details?.find((d: any) => d.reason)?.reason;
  console.log(`without a key: ${response.status} ${reason}`);
}
// 5. A bad filter: 400, the English message for the developer and, beside it, a French
// google.rpc.LocalizedMessage (fr-FR) for the person.
{
  const { error, response } = await client.GET("/v1/actors", {
    params: { query: { filter: "no_such_field = 1" } },
  });
  if (response.status !== 400) fail(`a bad filter: ${response.status}`);
  const details: any[] = (error as any)?.error?.details ?? [];
  const french = details.find((d) => d["@type"] === "type.googleapis.com/google.rpc.LocalizedMessage");
  if (!french || french.locale !== "fr-FR") fail(`no French message: ${JSON.stringify(error)}`);
  console.log(`a bad filter: ${response.status} "${(error as any).error.message}" / ` +
              `${french.locale} "${french.message}"`);
}
console.log("OK: partner scenario over the generated OpenAPI client");
