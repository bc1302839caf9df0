import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Sandbox tests measure host responsiveness; keep files from fighting over the 2 CI cores.
    fileParallelism: false,
  },
})
