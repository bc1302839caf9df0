import { describe, expect, it } from "vitest"
import { compileLexicon, parseQuery, type ParsedQuery } from "../../src/search/query.js"
import { stem } from "../../src/search/tokenize.js"

const lexicon = compileLexicon()
const alternativesOf = (parsed: ParsedQuery, i: number) =>
  (parsed.groups[i]?.alternatives ?? []).map((a) => `${a.terms.join(" ")}@${a.weight}`)

describe("parseQuery", () => {
  it("expands an action verb to its synonyms at a lower weight and names the intent", () => {
    const parsed = parseQuery("make a bucket", lexicon)
    expect(parsed.action).toBe("create")
    expect(alternativesOf(parsed, 0)).toContain(`${stem("make")}@1`)
    expect(alternativesOf(parsed, 0)).toContain(`${stem("create")}@0.6`)
    expect(alternativesOf(parsed, 0)).toContain("add@0.6")
  })

  it.each([
    ["remove the record", "delete"],
    ["edit a record", "update"],
    ["fetch one record", "get"],
    ["show every record", "list"],
    ["turn on dnssec", "enable"],
  ])("%s → intent %s", (query, action) => {
    expect(parseQuery(query, lexicon).action).toBe(action)
  })

  it("treats a question as a read when it names no action", () => {
    expect(parseQuery("who am I logged in as", lexicon).action).toBe("get")
    expect(parseQuery("bucket quota", lexicon).action).toBeUndefined()
  })

  it("expands abbreviations at full weight, both ways", () => {
    expect(alternativesOf(parseQuery("repo", lexicon), 0)).toContain(`${stem("repository")}@1`)
    expect(alternativesOf(parseQuery("pull request", lexicon), 0)).toContain("pr@1")
  })

  it("adds thesaurus concepts for user words", () => {
    const parsed = parseQuery("my website", lexicon)
    expect(alternativesOf(parsed, 0)).toEqual(expect.arrayContaining([`${stem("website")}@1`, `${stem("zone")}@0.7`]))
  })

  it("matches a thesaurus phrase across stop words and gives its concept full weight", () => {
    const parsed = parseQuery("API calls do I have left", lexicon)
    expect(parsed.groups).toHaveLength(1)
    expect(parsed.groups[0]?.phrase).toBe(true)
    expect(alternativesOf(parsed, 0)).toContain(`${stem("rate")} limit@1`)
  })

  it("matches a phrase made of stop words word for word only", () => {
    expect(parseQuery("who changed the zone", lexicon).groups[0]?.alternatives.map((a) => a.terms.join(" "))).toContain("audit")
    const changed = parseQuery("changed the zone", lexicon).groups[0]?.alternatives.map((a) => a.terms.join(" "))
    expect(changed).not.toContain("audit")
  })

  it("drops stop words and gives nothing for an empty query", () => {
    expect(parseQuery("the of a", lexicon).groups).toEqual([])
    expect(parseQuery("", lexicon).groups).toEqual([])
  })

  it("turns expansions off when their weight is 0", () => {
    const plain = compileLexicon({ actionSynonymWeight: 0, abbreviationWeight: 0, thesaurusWeight: 0 })
    const parsed = parseQuery("make a repo for my website", plain)
    for (const group of parsed.groups) expect(group.alternatives).toHaveLength(1)
  })

  it("accepts extra thesaurus entries", () => {
    const custom = compileLexicon({ thesaurus: [["widget maker", "factory"]] })
    expect(alternativesOf(parseQuery("widget maker", custom), 0)).toContain(`${stem("factory")}@1`)
  })

  it("starts from the built-in thesaurus unless given another base", () => {
    const terms = (lex: ReturnType<typeof compileLexicon>) =>
      parseQuery("my website", lex).groups[0]?.alternatives.map((a) => a.terms.join(" ")) ?? []
    expect(terms(lexicon)).toContain(stem("zone"))
    expect(terms(compileLexicon({ baseThesaurus: [] }))).toEqual([stem("website")])
    const own = compileLexicon({ baseThesaurus: [], thesaurus: [["website", "property"]] })
    expect(terms(own)).toEqual([stem("website"), stem("property")])
  })
})
