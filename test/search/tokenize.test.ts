import { describe, expect, it } from "vitest"
import { analyze, splitWords, stem } from "../../src/search/tokenize.js"

describe("splitWords", () => {
  it("splits camelCase, PascalCase and acronym runs", () => {
    expect(splitWords("getDNSRecords")).toEqual(["get", "dns", "records"])
    expect(splitWords("CreateZoneRuleset")).toEqual(["create", "zone", "ruleset"])
  })

  it("splits snake_case, kebab-case, operationIds and paths", () => {
    expect(splitWords("dns_records-for-a-zone")).toEqual(["dns", "records", "for", "a", "zone"])
    expect(splitWords("repos/create-release")).toEqual(["repos", "create", "release"])
    expect(splitWords("/zones/{zone_id}/dns_records")).toEqual(["zones", "zone", "id", "dns", "records"])
  })

  it("keeps digits with their letters and drops possessives and acronym plurals", () => {
    expect(splitWords("R2 bucket, d1Database")).toEqual(["r2", "bucket", "d1", "database"])
    expect(splitWords("a Namespace's Keys")).toEqual(["a", "namespace", "keys"])
    expect(splitWords("merge PRs by IDs")).toEqual(["merge", "pr", "by", "id"])
  })
})

describe("stem", () => {
  it.each([
    ["policies", "policy"],
    ["branches", "branch"],
    ["addresses", "address"],
    ["deployments", "deploy"],
    ["status", "status"],
    ["access", "access"],
    ["string", "string"],
  ])("%s → %s", (word, expected) => {
    expect(stem(word)).toBe(expected)
  })

  it("merges the forms of one verb or noun", () => {
    const same = (...words: string[]) => expect(new Set(words.map(stem)).size).toBe(1)
    same("create", "created", "creates", "creation", "creating")
    same("delete", "deleted", "deletion")
    same("invite", "invites", "invitation", "invitations")
    same("validate", "validated", "validation")
    same("zone", "zones")
    same("repository", "repositories")
  })

  it("keeps nouns apart from look-alike verbs", () => {
    expect(stem("settings")).not.toBe(stem("set"))
    expect(stem("settings")).toBe(stem("setting"))
  })
})

describe("analyze", () => {
  it("drops stop words but keeps action words", () => {
    expect(analyze("show me all of my zones")).toEqual(["show", "all", stem("zones")])
    expect(analyze("Get a new token for the user")).toEqual(["get", "new", "token", "user"])
  })
})
