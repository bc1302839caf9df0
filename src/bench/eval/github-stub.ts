/**
 * A stub of a few GitHub REST endpoints on 127.0.0.1, answering the eval's OpenAPI tasks with fixed
 * data (the repository `acme/rocket`, its issues, pulls, labels, contributors, releases, users).
 * The full GitHub spec is loaded as the tool source; only these routes answer, the rest are 404.
 */
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"

interface Issue {
  number: number
  title: string
  state: "open" | "closed"
  labels: Array<{ name: string }>
  user: { login: string }
  comments: number
  assignee: { login: string } | null
  pull_request?: { url: string }
}

const LOGINS = ["ada", "linus", "grace", "ken", "barbara"]
const LABELS = ["bug", "docs", "feature", "good first issue", "performance"]

/** 24 issues (#1, #7, #13, #19 are pull requests, as GitHub lists them with the issues), deterministic. */
function makeIssues(): Issue[] {
  const issues: Issue[] = []
  for (let n = 1; n <= 24; n++) {
    const labels = LABELS.filter((_, i) => (n + i) % 4 === 0).map((name) => ({ name }))
    issues.push({
      number: n,
      title: `${labels[0]?.name === "bug" ? "Crash" : "Improve"} ${["launcher", "telemetry", "docs site", "fuel gauge"][n % 4]} #${n}`,
      state: n % 3 === 0 ? "closed" : "open",
      labels,
      user: { login: LOGINS[n % LOGINS.length] as string },
      comments: (n * 7) % 5,
      assignee: n % 5 === 0 ? null : { login: LOGINS[(n + 2) % LOGINS.length] as string },
      ...(n % 6 === 1 ? { pull_request: { url: `https://api.github.com/repos/acme/rocket/pulls/${n}` } } : {}),
    })
  }
  return issues
}

export const GITHUB_FIXTURE = {
  repo: { id: 42, name: "rocket", full_name: "acme/rocket", owner: { login: "acme" }, stargazers_count: 1234, forks_count: 56, open_issues_count: 16, default_branch: "main", language: "TypeScript", topics: ["space", "launch"] },
  issues: makeIssues(),
  contributors: LOGINS.map((login, i) => ({ login, contributions: [120, 87, 64, 33, 5][i] as number })),
  releases: [
    { id: 3, tag_name: "v2.1.0", name: "Orbit", draft: false, prerelease: false, published_at: "2026-10-01T00:00:00Z" },
    { id: 2, tag_name: "v2.0.0", name: "Ascent", draft: false, prerelease: false, published_at: "2026-06-01T00:00:00Z" },
    { id: 1, tag_name: "v1.0.0", name: "Liftoff", draft: false, prerelease: false, published_at: "2026-01-15T00:00:00Z" },
  ],
  users: Object.fromEntries(LOGINS.map((login, i) => [login, { login, id: 100 + i, name: login[0]!.toUpperCase() + login.slice(1), public_repos: 3 + i * 4, followers: 10 * (i + 1) }])),
}

export interface GithubStub {
  url: string
  /** Issues created through POST, in order. */
  created: Array<{ title: string; body?: string; labels?: string[] }>
  close(): Promise<void>
}

function page<T>(items: T[], query: URLSearchParams): T[] {
  const perPage = Number(query.get("per_page") ?? 30)
  const number = Number(query.get("page") ?? 1)
  return items.slice((number - 1) * perPage, number * perPage)
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = ""
    req.on("data", (part: Buffer) => (text += part.toString()))
    req.on("end", () => {
      try {
        resolve(JSON.parse(text || "{}") as Record<string, unknown>)
      } catch {
        resolve({})
      }
    })
  })
}

/** Starts the stub on a free port of 127.0.0.1. */
export async function startGithubStub(): Promise<GithubStub> {
  const created: GithubStub["created"] = []
  const fixture = GITHUB_FIXTURE
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const q = url.searchParams
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(body))
    }
    const parts = url.pathname.split("/").filter(Boolean)
    if (parts[0] === "users" && parts.length === 2) {
      const user = fixture.users[parts[1] as string]
      return user ? send(200, user) : send(404, { message: "Not Found" })
    }
    if (parts[0] !== "repos" || parts[1] !== "acme" || parts[2] !== "rocket") return send(404, { message: "Not Found" })
    const rest = parts.slice(3).join("/")
    if (rest === "" && req.method === "GET") return send(200, fixture.repo)
    if (rest === "issues" && req.method === "POST") {
      const body = await readJson(req)
      const issue = { title: String(body.title ?? ""), ...(typeof body.body === "string" ? { body: body.body } : {}), ...(Array.isArray(body.labels) ? { labels: body.labels.map(String) } : {}) }
      created.push(issue)
      return send(201, { number: 100 + created.length, state: "open", ...issue })
    }
    if (rest === "issues") {
      const state = q.get("state") ?? "open"
      const labels = (q.get("labels") ?? "").split(",").filter(Boolean)
      const items = fixture.issues.filter(
        (i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.some((x) => x.name === l)) && (!q.get("creator") || i.user.login === q.get("creator")),
      )
      return send(200, page(items, q))
    }
    const issue = /^issues\/(\d+)(\/comments)?$/.exec(rest)
    if (issue) {
      const found = fixture.issues.find((i) => i.number === Number(issue[1]))
      if (!found) return send(404, { message: "Not Found" })
      if (!issue[2]) return send(200, found)
      return send(200, Array.from({ length: found.comments }, (_, k) => ({ id: found.number * 10 + k, user: { login: LOGINS[k % LOGINS.length] }, body: `comment ${k + 1} on #${found.number}` })))
    }
    if (rest === "pulls") {
      const state = q.get("state") ?? "open"
      return send(200, page(fixture.issues.filter((i) => i.pull_request && (state === "all" || i.state === state)), q))
    }
    if (rest === "labels") return send(200, page(LABELS.map((name, i) => ({ id: i + 1, name })), q))
    if (rest === "contributors") return send(200, page(fixture.contributors, q))
    if (rest === "releases") return send(200, page(fixture.releases, q))
    if (rest === "releases/latest") return send(200, fixture.releases[0])
    return send(404, { message: "Not Found" })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    created,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
