/** Small hand-made tools for the catalog tests (their `call` is never used). */
import type { JSONSchema, Tool, ToolOrigin } from "../../src/tools/tool.js"

const notCalled = async (): Promise<never> => {
  throw new Error("fixture tools are not called")
}

export function op(
  namespace: string,
  operationId: string,
  method: string,
  path: string,
  description: string,
  tags: string[],
  properties: Record<string, JSONSchema> = {},
): Tool {
  const origin: ToolOrigin = { kind: "openapi", originalName: operationId, operationId, method, path, tags }
  return {
    name: operationId.replace(/[^A-Za-z0-9]+/g, "_"),
    namespace,
    description,
    inputSchema: { type: "object", properties },
    origin,
    call: notCalled,
  }
}

const zoneId = { zone_id: { type: "string", description: "Zone identifier" } }
const accountId = { account_id: { type: "string", description: "Account identifier" } }

/** A miniature DNS/CDN/storage API in the style of Cloudflare's. */
export const cloudTools: Tool[] = [
  op("cloud", "zones-list", "GET", "/zones", "List Zones\n\nLists, searches, sorts, and filters your zones.", ["Zone"]),
  op("cloud", "zones-create", "POST", "/zones", "Create Zone", ["Zone"], { name: { type: "string", description: "The domain name" } }),
  op("cloud", "zones-delete", "DELETE", "/zones/{zone_id}", "Delete Zone\n\nDeletes an existing zone.", ["Zone"], zoneId),
  op("cloud", "zone-purge", "POST", "/zones/{zone_id}/purge_cache", "Purge Cached Content\n\nRemoves cached files from the edge.", ["Zone"], zoneId),
  op("cloud", "dns-records-list", "GET", "/zones/{zone_id}/dns_records", "List DNS Records", ["DNS Records"], zoneId),
  op("cloud", "dns-records-create", "POST", "/zones/{zone_id}/dns_records", "Create DNS Record\n\nCreate a new DNS record for a zone.", ["DNS Records"], {
    ...zoneId,
    body: { type: "object", properties: { type: { type: "string", description: "Record type, e.g. A or CNAME" }, content: { type: "string" } } },
  }),
  op("cloud", "dns-records-delete", "DELETE", "/zones/{zone_id}/dns_records/{dns_record_id}", "Delete DNS Record", ["DNS Records"], zoneId),
  op("cloud", "dns-records-get", "GET", "/zones/{zone_id}/dns_records/{dns_record_id}", "DNS Record Details", ["DNS Records"], zoneId),
  op("cloud", "r2-list-buckets", "GET", "/accounts/{account_id}/r2/buckets", "List Buckets", ["R2 Bucket"], accountId),
  op("cloud", "r2-create-bucket", "POST", "/accounts/{account_id}/r2/buckets", "Create Bucket\n\nCreates a new R2 bucket.", ["R2 Bucket"], accountId),
  op("cloud", "members-add", "POST", "/accounts/{account_id}/members", "Add Member\n\nAdd a user to the list of members for this account.", ["Account Members"], accountId),
  op("cloud", "members-remove", "DELETE", "/accounts/{account_id}/members/{member_id}", "Remove Member", ["Account Members"], accountId),
  op("cloud", "tokens-roll", "PUT", "/user/tokens/{token_id}/value", "Roll Token\n\nRoll the token secret.", ["User API Tokens"]),
  op("cloud", "zone-hold-create", "POST", "/zones/{zone_id}/hold", "Create Zone Hold", ["Zone Holds"], zoneId),
]

/** A miniature source-hosting API in the style of GitHub's. */
export const codeTools: Tool[] = [
  op("code", "issues/create", "POST", "/repos/{owner}/{repo}/issues", "Create an issue", ["issues"]),
  op("code", "issues/list-for-repo", "GET", "/repos/{owner}/{repo}/issues", "List repository issues", ["issues"]),
  op("code", "pulls/create", "POST", "/repos/{owner}/{repo}/pulls", "Create a pull request", ["pulls"]),
  op("code", "pulls/merge", "PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge", "Merge a pull request", ["pulls"]),
  op("code", "repos/delete", "DELETE", "/repos/{owner}/{repo}", "Delete a repository", ["repos"]),
  op("code", "activity/star-repo", "PUT", "/user/starred/{owner}/{repo}", "Star a repository for the authenticated user", ["activity"]),
  op("code", "activity/list-starred", "GET", "/user/starred", "List repositories starred by the authenticated user", ["activity"]),
  op("code", "users/get-authenticated", "GET", "/user", "Get the authenticated user", ["users"]),
  op("code", "users/update-authenticated", "PATCH", "/user", "Update the authenticated user", ["users"]),
]

/** A plain (non-OpenAPI) tool, as an MCP server would give it. */
export const memoryTool: Tool = {
  name: "createEntities",
  namespace: "memory",
  description: "Create multiple new entities in the knowledge graph",
  inputSchema: { type: "object", properties: { entities: { type: "array", description: "Entities to create" } } },
  call: notCalled,
}

/** A file-system namespace without a delete tool, as @modelcontextprotocol/server-filesystem: "file" is everywhere in it. */
export const fsTools: Tool[] = [
  op("fs", "read_file", "POST", "/read", "Read the complete contents of a file from the file system", ["files"]),
  op("fs", "write_file", "POST", "/write", "Create a new file or overwrite an existing file", ["files"]),
  op("fs", "edit_file", "POST", "/edit", "Make line-based edits to a text file", ["files"]),
  op("fs", "move_file", "POST", "/move", "Move or rename files and directories", ["files"]),
  op("fs", "list_directory", "POST", "/list", "Get a listing of all files and directories in a path", ["files"]),
  op("fs", "get_file_info", "POST", "/info", "Retrieve metadata about a file or directory", ["files"]),
]
