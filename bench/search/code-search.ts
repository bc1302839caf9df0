/**
 * What code search costs over the big specs in data/: the view's JSON size, the time to build it
 * (once per catalog), and the time of one search program in the QuickJS sandbox (the view copied in
 * and parsed each time) next to an empty program. Medians of `--runs` (default 15), after 3 warm-up runs.
 *
 *   npx tsx bench/search/code-search.ts [--runs=15]
 */
import path from "node:path"
import { fileURLToPath } from "node:url"
import { createCodeMode, openapi } from "../../src/index.js"

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../data")
const runs = Number(/--runs=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 15)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

for (const spec of ["cloudflare", "github"]) {
  const cm = await createCodeMode({ sources: [openapi(spec, { spec: path.join(DATA, `${spec}-openapi.json.gz`) })] })
  const t0 = performance.now()
  const view = cm.catalog().view()
  const buildMs = performance.now() - t0
  const time = async (code: string) => {
    const times: number[] = []
    for (let i = 0; i < runs + 3; i++) {
      const start = performance.now()
      await cm.search({ code })
      if (i >= 3) times.push(performance.now() - start)
    }
    return Math.round(median(times))
  }
  const filterMs = await time('tools.filter((t) => t.method === "DELETE" && /member/i.test(t.summary))')
  await cm.execute("return 1") // the same sandbox, no view
  const emptyTimes: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await cm.execute("return 1", { typecheck: "off" })
    emptyTimes.push(performance.now() - start)
  }
  console.log(JSON.stringify({ spec, tools: cm.tools().length, viewBytes: view.length, viewBuildMs: Math.round(buildMs), searchMs: filterMs, emptyExecuteMs: Math.round(median(emptyTimes)) }))
  await cm.close()
}
