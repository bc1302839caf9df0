import { configDefaults, defineConfig } from "vitest/config"

// The sandbox and security tests check the host's responsiveness while a payload runs (an event-loop
// lag bound), so they run first, one file at a time, with nothing beside them. The rest mostly waits
// on child processes and sockets and runs two files at a time.
const ISOLATED = ["test/sandbox/**/*.test.ts", "test/security/**/*.test.ts"]

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "sandbox", include: ISOLATED, fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: "rest",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...ISOLATED],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
