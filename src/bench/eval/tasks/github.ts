/**
 * Tasks over the full GitHub REST spec (data/github-openapi.json.gz) as an OpenAPI source, answered
 * by the stub on 127.0.0.1 (github-stub.ts). The expected answers are computed from the stub's
 * fixture here, independently of the tools. Code mode searches first: the catalog is too big to
 * describe whole.
 */
import { GITHUB_FIXTURE } from "../github-stub.js"
import { defineTasks } from "../task.js"
import { at } from "./helpers.js"

type Issue = (typeof GITHUB_FIXTURE.issues)[number]
const REPO = { owner: "acme", repo: "rocket" }
const R = JSON.stringify(REPO).replace(/"(\w+)":/g, "$1: ") // { owner: "acme", repo: "rocket" } in the programs
const openIssues = GITHUB_FIXTURE.issues.filter((i) => i.state === "open" && !i.pull_request)
const mostCommented = (issues: Issue[]) => issues.filter((i) => !i.pull_request).reduce((a, b) => (b.comments > a.comments ? b : a))
const top3 = [...GITHUB_FIXTURE.contributors].sort((a, b) => b.contributions - a.contributions).slice(0, 3)
const openPulls = GITHUB_FIXTURE.issues.filter((i) => i.pull_request && i.state === "open")

export const GITHUB_TASKS = defineTasks([
  {
    id: "github-open-bugs",
    env: "github",
    prompt: "How many open issues labeled 'bug' does acme/rocket have, not counting pull requests?",
    answer: [String(openIssues.filter((i) => i.labels.some((l) => l.name === "bug")).length)],
    codemode: {
      search: ["list issues of a repository"],
      program: `const issues = await codemode.github.issues_list_for_repo({ ...${R}, state: "open", labels: "bug", per_page: 100 })\nreturn \`\${issues.filter((i) => !i.pull_request).length} open bugs\``,
    },
    classic: {
      turns: [() => [{ tool: "github.issues_list_for_repo", args: { ...REPO, state: "open", labels: "bug", per_page: 100 } }]],
      answer: (r) => `${at<Issue[]>(r, 0).filter((i) => !i.pull_request).length} open bugs`,
    },
  },
  {
    id: "github-top-contributor",
    env: "github",
    prompt: "Who is the top contributor of acme/rocket, and with how many contributions?",
    answer: [top3[0]!.login, String(top3[0]!.contributions)],
    codemode: {
      search: ["list repository contributors"],
      program: `const [top] = (await codemode.github.repos_list_contributors({ ...${R}, per_page: 100 })).sort((a, b) => b.contributions - a.contributions)\nreturn \`\${top.login}: \${top.contributions}\``,
    },
    classic: {
      turns: [() => [{ tool: "github.repos_list_contributors", args: { ...REPO, per_page: 100 } }]],
      answer: (r) => {
        const [top] = at<typeof top3>(r, 0).sort((a, b) => b.contributions - a.contributions)
        return `${top?.login}: ${top?.contributions}`
      },
    },
  },
  {
    id: "github-releases",
    env: "github",
    prompt: "What are the tag and name of the latest release of acme/rocket, and how many releases does it have in all?",
    answer: [GITHUB_FIXTURE.releases[0]!.tag_name, GITHUB_FIXTURE.releases[0]!.name, `${GITHUB_FIXTURE.releases.length} releases`],
    codemode: {
      search: ["get the latest release", "list releases"],
      program:
        `const [latest, all] = await Promise.all([codemode.github.repos_get_latest_release(${R}), codemode.github.repos_list_releases({ ...${R}, per_page: 100 })])\n` +
        "return `${latest.tag_name} (${latest.name}), ${all.length} releases`",
    },
    classic: {
      turns: [() => [{ tool: "github.repos_get_latest_release", args: REPO }, { tool: "github.repos_list_releases", args: { ...REPO, per_page: 100 } }]],
      answer: (r) => {
        const latest = at<{ tag_name: string; name: string }>(r, 0)
        return `${latest.tag_name} (${latest.name}), ${at<unknown[]>(r, 0, 1).length} releases`
      },
    },
  },
  {
    id: "github-most-commented",
    env: "github",
    prompt: "Which open issue of acme/rocket (not a pull request) has the most comments (on a tie, the lowest number), and who wrote its first comment?",
    answer: [`#${mostCommented(openIssues).number}`, "ada"],
    codemode: {
      search: ["list issues of a repository", "list comments on an issue"],
      program:
        `const issues = (await codemode.github.issues_list_for_repo({ ...${R}, state: "open", per_page: 100 })).filter((i) => !i.pull_request)\n` +
        "const top = issues.reduce((a, b) => (b.comments > a.comments ? b : a))\n" +
        `const [first] = await codemode.github.issues_list_comments({ ...${R}, issue_number: top.number })\nreturn \`#\${top.number} "\${top.title}", first comment by \${first.user.login}\``,
    },
    classic: {
      turns: [
        () => [{ tool: "github.issues_list_for_repo", args: { ...REPO, state: "open", per_page: 100 } }],
        (r) => [{ tool: "github.issues_list_comments", args: { ...REPO, issue_number: mostCommented(at<Issue[]>(r, 0)).number } }],
      ],
      answer: (r) => {
        const top = mostCommented(at<Issue[]>(r, 0))
        return `#${top.number} "${top.title}", first comment by ${at<Array<{ user: { login: string } }>>(r, 1)[0]?.user.login}`
      },
    },
  },
  {
    id: "github-unassigned",
    env: "github",
    prompt: "List the numbers of the open issues of acme/rocket (not pull requests) that have no assignee, ascending, comma-separated.",
    answer: [openIssues.filter((i) => i.assignee === null).map((i) => i.number).join(", ")],
    codemode: {
      search: ["list issues of a repository"],
      program: `const issues = await codemode.github.issues_list_for_repo({ ...${R}, state: "open", per_page: 100 })\nreturn issues.filter((i) => !i.pull_request && !i.assignee).map((i) => i.number).sort((a, b) => a - b).join(", ")`,
    },
    classic: {
      turns: [() => [{ tool: "github.issues_list_for_repo", args: { ...REPO, state: "open", per_page: 100 } }]],
      answer: (r) => at<Issue[]>(r, 0).filter((i) => !i.pull_request && !i.assignee).map((i) => i.number).sort((a, b) => a - b).join(", "),
    },
  },
  {
    id: "github-followers",
    env: "github",
    prompt: "Of the top 3 contributors of acme/rocket, who has the most followers?",
    answer: [[...top3].sort((a, b) => GITHUB_FIXTURE.users[b.login]!.followers - GITHUB_FIXTURE.users[a.login]!.followers)[0]!.login],
    codemode: {
      search: ["list repository contributors", "get a user"],
      program:
        `const top = (await codemode.github.repos_list_contributors({ ...${R}, per_page: 100 })).sort((a, b) => b.contributions - a.contributions).slice(0, 3)\n` +
        "const users = await Promise.all(top.map((c) => codemode.github.users_get_by_username({ username: c.login })))\n" +
        "const best = users.reduce((a, b) => (b.followers > a.followers ? b : a))\nreturn `${best.login} (${best.followers} followers)`",
    },
    classic: {
      turns: [
        () => [{ tool: "github.repos_list_contributors", args: { ...REPO, per_page: 100 } }],
        (r) =>
          at<typeof top3>(r, 0)
            .sort((a, b) => b.contributions - a.contributions)
            .slice(0, 3)
            .map((c) => ({ tool: "github.users_get_by_username", args: { username: c.login } })),
      ],
      answer: (r) => {
        const best = (r[1] as Array<{ login: string; followers: number }>).reduce((a, b) => (b.followers > a.followers ? b : a))
        return `${best.login} (${best.followers} followers)`
      },
    },
  },
  {
    id: "github-create-issue",
    env: "github",
    prompt: "Open an issue in acme/rocket titled 'Fuel gauge reads empty' with the label 'bug', then tell me its number.",
    answer: ["101"],
    verify: async (env) => env.github?.created.some((i) => i.title === "Fuel gauge reads empty" && i.labels?.includes("bug")) === true,
    codemode: {
      search: ["create an issue"],
      program: `const issue = await codemode.github.issues_create({ ...${R}, body: { title: "Fuel gauge reads empty", labels: ["bug"] } })\nreturn \`issue #\${issue.number}\``,
    },
    classic: {
      turns: [() => [{ tool: "github.issues_create", args: { ...REPO, body: { title: "Fuel gauge reads empty", labels: ["bug"] } } }]],
      answer: (r) => `issue #${at<{ number: number }>(r, 0).number}`,
    },
  },
  {
    id: "github-open-pulls",
    env: "github",
    prompt: "How many open pull requests does acme/rocket have, and what are their numbers (ascending)?",
    answer: [`${openPulls.length} open`, openPulls.map((p) => p.number).join(", ")],
    codemode: {
      search: ["list pull requests"],
      program: `const pulls = await codemode.github.pulls_list({ ...${R}, state: "open", per_page: 100 })\nreturn \`\${pulls.length} open: \${pulls.map((p) => p.number).sort((a, b) => a - b).join(", ")}\``,
    },
    classic: {
      turns: [() => [{ tool: "github.pulls_list", args: { ...REPO, state: "open", per_page: 100 } }]],
      answer: (r) => `${at<Issue[]>(r, 0).length} open: ${at<Issue[]>(r, 0).map((p) => p.number).sort((a, b) => a - b).join(", ")}`,
    },
  },
])
