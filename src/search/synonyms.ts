/**
 * Action verbs and abbreviations: the small, general vocabulary every API shares. A query word in
 * an action set also matches the other words of that set (at a lower weight) and names the query's
 * intent ("make" → create), which the ranker compares with each tool's own action.
 */

/** The action a tool performs or a query asks for. */
export type Action =
  | "list" | "get" | "create" | "update" | "delete" | "search" | "run" | "cancel" | "retry"
  | "enable" | "disable" | "upload" | "download" | "verify"

/**
 * Words for each action, most typical first. Kept to verbs, phrasal verbs ("get rid of") and a few
 * adjectives such as "new" that mean the same thing in any HTTP API; domain nouns live in the
 * thesaurus.
 */
export const ACTION_WORDS: Readonly<Record<Action, readonly string[]>> = {
  list: ["list", "all", "every", "enumerate", "browse", "index"],
  get: ["get", "fetch", "retrieve", "read", "show", "view", "see", "details", "detail", "describe", "info", "inspect", "display", "lookup", "find out", "look at", "check on"],
  create: ["create", "add", "new", "make", "register", "insert", "generate", "provision", "setup", "establish", "open", "save", "store", "set up", "spin up", "sign up"],
  update: ["update", "edit", "modify", "patch", "change", "set", "alter", "replace", "overwrite", "adjust", "configure", "toggle", "rename", "switch"],
  delete: ["delete", "remove", "destroy", "drop", "erase", "unregister", "discard", "withdraw", "retract", "get rid of", "take down", "take back", "throw away", "clean up", "wipe out", "tear down", "do away with"],
  search: ["search", "find", "query", "filter", "look"],
  run: ["run", "start", "execute", "trigger", "launch", "dispatch", "invoke"],
  cancel: ["cancel", "abort", "stop", "halt", "terminate", "kill", "call off"],
  retry: ["retry", "rerun", "restart", "redeliver", "resend", "again"],
  enable: ["enable", "activate", "unsuspend", "resume", "turn on", "switch on"],
  disable: ["disable", "deactivate", "suspend", "pause", "turn off", "switch off"],
  upload: ["upload", "import", "push", "deploy"],
  download: ["download", "export", "dump"],
  verify: ["verify", "validate", "check", "test"],
}

/**
 * Actions close enough that a tool doing one half-matches a query asking for the other
 * ("enable DNSSEC" → "Edit DNSSEC status").
 */
export const RELATED_ACTIONS: Readonly<Partial<Record<Action, readonly Action[]>>> = {
  enable: ["update"],
  disable: ["update"],
  upload: ["create", "update"],
  download: ["get"],
  verify: ["get"],
  search: ["list"],
  run: ["create"],
  retry: ["run", "create"],
  cancel: ["update", "delete"],
}

/** The five CRUD actions an HTTP method and path can imply on their own. */
export const CRUD_ACTIONS: ReadonlySet<Action> = new Set(["list", "get", "create", "update", "delete"])

/**
 * Abbreviations and spelling variants, matched both ways at full weight (each entry is one set of
 * equivalent phrases).
 */
export const ABBREVIATIONS: readonly (readonly string[])[] = [
  ["repo", "repository"],
  ["pr", "pull request"],
  ["org", "organization", "organisation"],
  ["db", "database"],
  ["config", "configuration"],
  ["env", "environment"],
  ["var", "variable"],
  ["auth", "authentication"],
  ["cert", "certificate"],
  ["info", "information"],
  ["stat", "statistic"],
  ["msg", "message"],
  ["dir", "directory"],
  ["ip", "ip address"],
  ["dns", "domain name system"],
  ["ssh", "secure shell"],
  ["url", "link"],
  ["kv", "key value"],
  ["waf", "web application firewall"],
  ["lb", "load balancer"],
  ["ci", "continuous integration"],
  ["ai", "artificial intelligence"],
  ["llm", "large language model"],
  ["todo", "task"],
]
