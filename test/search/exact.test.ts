/** Exact and near-exact matches of a summary or name rank first; expansions never outweigh the word. */
import { describe, expect, it } from "vitest"
import { exactness, exactQuery } from "../../src/search/exact.js"
import { compileLexicon, parseQuery } from "../../src/search/query.js"
import { createSearchIndex } from "../../src/search/search.js"
import { analyze } from "../../src/search/tokenize.js"
import { op } from "./fixtures.js"

const lexicon = compileLexicon()
const near = (query: string, field: string) => exactness(exactQuery(parseQuery(query, lexicon)), new Set(analyze(field)))

describe("exactness", () => {
  it("is 1 for the same words in any order, case and inflection, stop words aside", () => {
    expect(near("get a repository", "Get a repository")).toBe(1)
    expect(near("Repositories: get", "Get a repository")).toBe(1)
    expect(near("repos_get", "repos/get")).toBe(1)
  })

  it("counts full-weight equivalents (repo ↔ repository) but not weaker synonyms (fetch → get)", () => {
    expect(near("get a repo", "Get a repository")).toBe(1)
    // "fetch" is a 0.6-weight synonym of "get": half the query, half the summary
    expect(near("fetch a repository", "Get a repository")).toBe(0.25)
  })

  it("drops with words on either side that the other lacks", () => {
    // the query has all of the field but one extra group: 2/3 × 1
    expect(near("get a repository webhook", "Get a repository")).toBeCloseTo(2 / 3)
    // the field has all of the query but one extra term: 1 × 2/3
    expect(near("get a repository", "Get a repository webhook")).toBeCloseTo(2 / 3)
    expect(near("get a repository", "")).toBe(0)
  })
})

const tools = [
  op("gh", "users/check-blocked", "GET", "/user/blocks/{username}", "Check if a user is blocked by the authenticated user", ["users"]),
  op("gh", "users/check-following", "GET", "/user/following/{username}", "Check if a person is followed by the authenticated user", ["users"]),
  op("gh", "users/get-authenticated", "GET", "/user", "Get the authenticated user\n\nReturns the signed-in user's profile, including their plan and public profile.", ["users"]),
  op("gh", "users/get-by-username", "GET", "/users/{username}", "Get a user\n\nProvides publicly available information about someone with a GitHub account.", ["users"]),
  op("gh", "users/get-context", "GET", "/users/{username}/hovercard", "Get contextual information for a user", ["users"]),
  op("gh", "users/get-by-id", "GET", "/user/{account_id}", "Get a user using their ID", ["users"]),
  op("gh", "repos/get", "GET", "/repos/{owner}/{repo}", "Get a repository", ["repos"]),
  op("gh", "repos/get-readme", "GET", "/repos/{owner}/{repo}/readme", "Get a repository README", ["repos"]),
  op("gh", "repos/get-views", "GET", "/repos/{owner}/{repo}/traffic/views", "Get page views", ["repos"]),
  op("gh", "checks/get", "GET", "/repos/{owner}/{repo}/check-runs/{id}", "Get a check run", ["checks"]),
]
const ranked = (query: string, options = {}) => createSearchIndex(tools, options).search(query, { limit: 3, cutoff: false }).map((h) => h.operationId)

describe("exact summaries and names rank first", () => {
  it.each([
    ["get the authenticated user", "users/get-authenticated"],
    ["Get a user", "users/get-by-username"],
    ["get a repository", "repos/get"],
    ["repos_get", "repos/get"],
    ["users/get-by-username", "users/get-by-username"],
  ])("%s → %s", (query, operationId) => {
    expect(ranked(query)[0]).toBe(operationId)
  })

  it("keeps near-exact matches first through the boost alone", () => {
    expect(ranked("get a single repository", { exactFirst: false })[0]).toBe("repos/get")
  })
})
