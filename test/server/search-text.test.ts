/** What the `search` tool says: the best match in full, the rest on one line each, or that nothing matches well. */
import { describe, expect, it } from "vitest"
import { z } from "zod"
import { createCatalog } from "../../src/runtime/catalog.js"
import { argsSchemas } from "../../src/server/definitions.js"
import { searchText, type QueryArgs } from "../../src/server/search-text.js"
import { functions } from "../../src/tools/functions.js"
import type { Tool } from "../../src/tools/tool.js"

const path = z.object({ path: z.string().describe("File path") })
const noop = () => null

/** A file-system server without a delete tool, like @modelcontextprotocol/server-filesystem. */
async function fsTools(): Promise<Tool[]> {
  return functions("fs", {
    read_file: { description: "Read the complete contents of a file from the file system.", input: path, run: noop },
    write_file: { description: "Create a new file or completely overwrite an existing file with new content.", input: path.extend({ content: z.string() }), run: noop },
    edit_file: { description: "Make line-based edits to a text file.", input: path.extend({ edits: z.array(z.string()), dryRun: z.boolean().optional() }), run: noop },
    move_file: { description: "Move or rename files and directories.", input: z.object({ source: z.string(), destination: z.string() }), run: noop },
    list_directory: { description: "Get a detailed listing of all files and directories in a specified path.", input: path, run: noop },
    get_file_info: { description: "Retrieve detailed metadata about a file or directory.", input: path, run: noop },
  }).load()
}

/** Another namespace that does have delete tools. */
async function repoTools(): Promise<Tool[]> {
  const repo = z.object({ owner: z.string(), repo: z.string() })
  return functions("repos", {
    delete_repo: { description: "Delete a repository.", input: repo, run: noop },
    delete_branch: { description: "Delete a branch of a repository.", input: repo.extend({ branch: z.string() }), run: noop },
    list_branches: { description: "List the branches of a repository.", input: repo.extend({ per_page: z.number().optional(), page: z.number().optional() }), run: noop },
    get_repo: { description: "Get a repository.", input: repo, run: noop },
  }).load()
}

const text = (tools: Tool[], args: Record<string, unknown>) => searchText(createCatalog(tools, { tokenBudget: 0 }), argsSchemas().SearchArgsSchema.parse(args) as QueryArgs)

describe("search text", () => {
  it("says plainly that nothing matches well in a namespace without the tool, with the closest names", async () => {
    const tools = [...(await fsTools()), ...(await repoTools())]
    const out = text(tools, { query: "delete a file", namespace: "fs" })
    expect(out).toMatch(/^No good match for "delete a file" in fs\. Try other words/)
    expect(out).toContain("Closest:\ncodemode.fs.")
    expect(out).not.toContain("declare namespace")
    expect(out).not.toContain("best match")
    // the same words find the other namespace's delete tools
    expect(text(tools, { query: "delete a branch" })).toMatch(/^Best match for "delete a branch"[\s\S]*function delete_branch\(/)
  })

  it("says so too when the catalog has no word for the task at all", async () => {
    const out = text(await fsTools(), { query: "delete a file" })
    expect(out).toMatch(/^No good match for "delete a file" among 6 functions\./)
  })

  it("shows the best match in full and the others as one-line signatures with a summary", async () => {
    const out = text(await repoTools(), { query: "repository branches" })
    const [head, best, more] = out.split("\n\n")
    expect(head).toBe('2 best matches for "repository branches" (call them in execute as written):')
    expect(best).toMatch(/^declare namespace codemode\.repos \{[\s\S]*function delete_branch\(args: DeleteBranchArgs\)/)
    expect(more).toBe([
      'Also (search a name, or pass detail: "full", for its types):',
      "codemode.repos.list_branches({ owner: string, repo: string, per_page?, page? }): Promise<unknown> — List the branches of a repository.",
    ].join("\n"))
  })

  it("shows every match in full with detail: full", async () => {
    const out = text(await repoTools(), { query: "repository branches", detail: "full" })
    expect(out).not.toContain("Also (")
    expect(out.match(/declare namespace codemode\.repos/g)?.length).toBe(2)
    expect(out).toContain("function list_branches(args: ListBranchesArgs)")
  })
})
