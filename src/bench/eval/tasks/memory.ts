/** Tasks over the real MCP memory server (a knowledge graph), with its own file per task and arm. */
import { defineTasks, type EvalEnv } from "../task.js"
import { at, valueOf } from "./helpers.js"

interface Entity {
  name: string
  entityType: string
  observations: string[]
}
interface Graph {
  entities: Entity[]
  relations: Array<{ from: string; to: string; relationType: string }>
}

const PEOPLE: Record<string, { company: string; observations: string[] }> = {
  Alice: { company: "Acme", observations: ["likes hiking"] },
  Bob: { company: "Globex", observations: ["likes tea", "speaks Danish"] },
  Carol: { company: "Acme", observations: ["plays chess"] },
  Dan: { company: "Globex", observations: [] },
  Eve: { company: "Acme", observations: ["speaks Danish", "runs marathons"] },
}

/** Five people at two companies, two scratch entities of type "temp". */
const SEED =
  `await codemode.memory.create_entities({ entities: [\n` +
  `  ...${JSON.stringify(Object.entries(PEOPLE).map(([name, p]) => ({ name, entityType: "person", observations: p.observations })))},\n` +
  `  { name: "Acme", entityType: "company", observations: [] }, { name: "Globex", entityType: "company", observations: [] },\n` +
  `  { name: "scratch-1", entityType: "temp", observations: [] }, { name: "scratch-2", entityType: "temp", observations: [] }] })\n` +
  `await codemode.memory.create_relations({ relations: ${JSON.stringify(Object.entries(PEOPLE).map(([name, p]) => ({ from: name, to: p.company, relationType: "works_at" })))} })`

const graph = (env: EvalEnv) => valueOf(env, "return await codemode.memory.read_graph({})") as Promise<Graph>
const employees = (g: Graph, company: string) => g.relations.filter((r) => r.relationType === "works_at" && r.to === company).map((r) => r.from).sort()

export const MEMORY_TASKS = defineTasks([
  {
    id: "memory-create-relate",
    env: "memory",
    prompt: "Create the entities Alice (a person) and Acme (a company), record that Alice works_at Acme, then tell me how many entities and relations the graph has.",
    answer: ["2 entities", "1 relation"],
    verify: async (env) => (await graph(env)).relations.some((r) => r.from === "Alice" && r.to === "Acme" && r.relationType === "works_at"),
    codemode: {
      program:
        'await codemode.memory.create_entities({ entities: [{ name: "Alice", entityType: "person", observations: [] }, { name: "Acme", entityType: "company", observations: [] }] })\n' +
        'await codemode.memory.create_relations({ relations: [{ from: "Alice", to: "Acme", relationType: "works_at" }] })\n' +
        "const g = await codemode.memory.read_graph({})\nreturn `${g.entities.length} entities, ${g.relations.length} relations`",
    },
    classic: {
      turns: [
        () => [{ tool: "memory.create_entities", args: { entities: [{ name: "Alice", entityType: "person", observations: [] }, { name: "Acme", entityType: "company", observations: [] }] } }],
        () => [{ tool: "memory.create_relations", args: { relations: [{ from: "Alice", to: "Acme", relationType: "works_at" }] } }],
        () => [{ tool: "memory.read_graph", args: {} }],
      ],
      answer: (r) => `${at<Graph>(r, 2).entities.length} entities, ${at<Graph>(r, 2).relations.length} relations`,
    },
  },
  {
    id: "memory-observe",
    env: "memory",
    setup: SEED,
    prompt: "Add the observations 'plays chess' and 'keeps bees' to Bob, then tell me how many observations Bob has now.",
    answer: ["4"],
    verify: async (env) => (await graph(env)).entities.find((e) => e.name === "Bob")?.observations.includes("keeps bees") === true,
    codemode: {
      program:
        'await codemode.memory.add_observations({ observations: [{ entityName: "Bob", contents: ["plays chess", "keeps bees"] }] })\n' +
        'const { entities } = await codemode.memory.open_nodes({ names: ["Bob"] })\nreturn `Bob has ${entities[0].observations.length} observations`',
    },
    classic: {
      turns: [
        () => [{ tool: "memory.add_observations", args: { observations: [{ entityName: "Bob", contents: ["plays chess", "keeps bees"] }] } }],
        () => [{ tool: "memory.open_nodes", args: { names: ["Bob"] } }],
      ],
      answer: (r) => `Bob has ${at<Graph>(r, 1).entities[0]?.observations.length} observations`,
    },
  },
  {
    id: "memory-works-at",
    env: "memory",
    setup: SEED,
    prompt: "Who works at Globex? Give the names in alphabetical order, comma-separated.",
    answer: ["Bob, Dan"],
    codemode: {
      program: 'const g = await codemode.memory.read_graph({})\nreturn g.relations.filter((r) => r.relationType === "works_at" && r.to === "Globex").map((r) => r.from).sort().join(", ")',
    },
    classic: { turns: [() => [{ tool: "memory.read_graph", args: {} }]], answer: (r) => employees(at<Graph>(r, 0), "Globex").join(", ") },
  },
  {
    id: "memory-danish",
    env: "memory",
    setup: SEED,
    prompt: "Which entities have an observation mentioning Danish? Alphabetical order, comma-separated.",
    answer: ["Bob, Eve"],
    codemode: {
      program: 'const { entities } = await codemode.memory.search_nodes({ query: "Danish" })\nreturn entities.filter((e) => e.observations.some((o) => o.includes("Danish"))).map((e) => e.name).sort().join(", ")',
    },
    classic: {
      turns: [() => [{ tool: "memory.search_nodes", args: { query: "Danish" } }]],
      answer: (r) => at<Graph>(r, 0).entities.filter((e) => e.observations.some((o) => o.includes("Danish"))).map((e) => e.name).sort().join(", "),
    },
  },
  {
    id: "memory-delete-temp",
    env: "memory",
    setup: SEED,
    prompt: "Delete every entity of type 'temp', then tell me how many entities are left.",
    answer: ["7"],
    verify: async (env) => !(await graph(env)).entities.some((e) => e.entityType === "temp"),
    codemode: {
      program:
        'const g = await codemode.memory.read_graph({})\nconst temp = g.entities.filter((e) => e.entityType === "temp").map((e) => e.name)\n' +
        "await codemode.memory.delete_entities({ entityNames: temp })\nreturn `${(await codemode.memory.read_graph({})).entities.length} entities left`",
    },
    classic: {
      turns: [
        () => [{ tool: "memory.read_graph", args: {} }],
        (r) => [{ tool: "memory.delete_entities", args: { entityNames: at<Graph>(r, 0).entities.filter((e) => e.entityType === "temp").map((e) => e.name) } }],
      ],
      answer: (r) => `${at<Graph>(r, 0).entities.filter((e) => e.entityType !== "temp").length} entities left`,
    },
  },
  {
    id: "memory-types",
    env: "memory",
    setup: SEED,
    prompt: "How many entities of each type are there? Answer like 'company: 1, person: 2', types in alphabetical order.",
    answer: ["company: 2, person: 5, temp: 2"],
    codemode: {
      program:
        "const counts = {}\nfor (const e of (await codemode.memory.read_graph({})).entities) counts[e.entityType] = (counts[e.entityType] ?? 0) + 1\n" +
        'return Object.keys(counts).sort().map((t) => `${t}: ${counts[t]}`).join(", ")',
    },
    classic: {
      turns: [() => [{ tool: "memory.read_graph", args: {} }]],
      answer: (r) => {
        const counts: Record<string, number> = {}
        for (const e of at<Graph>(r, 0).entities) counts[e.entityType] = (counts[e.entityType] ?? 0) + 1
        return Object.keys(counts).sort().map((t) => `${t}: ${counts[t]}`).join(", ")
      },
    },
  },
  {
    id: "memory-colleagues",
    env: "memory",
    setup: SEED,
    prompt: "Who works at the same company as Carol (not Carol herself)? Alphabetical order, comma-separated.",
    answer: ["Alice, Eve"],
    codemode: {
      program:
        'const { relations } = await codemode.memory.read_graph({})\nconst company = relations.find((r) => r.from === "Carol" && r.relationType === "works_at").to\n' +
        'return relations.filter((r) => r.relationType === "works_at" && r.to === company && r.from !== "Carol").map((r) => r.from).sort().join(", ")',
    },
    classic: {
      turns: [() => [{ tool: "memory.read_graph", args: {} }]],
      answer: (r) => {
        const g = at<Graph>(r, 0)
        const company = g.relations.find((x) => x.from === "Carol")?.to ?? ""
        return employees(g, company).filter((n) => n !== "Carol").join(", ")
      },
    },
  },
])
