/**
 * Query analysis: a query becomes a list of groups, one per word or recognised phrase; each group
 * holds weighted alternatives (the words themselves, their action synonyms, abbreviations and
 * thesaurus concepts). A document scores, per group, its best alternative — so a tool that
 * mentions "create", "add" and "new" is not counted three times for the query word "make".
 */
import { actionOfWord } from "./document.js"
import { ABBREVIATIONS, ACTION_WORDS, type Action } from "./synonyms.js"
import { THESAURUS, type ThesaurusEntry } from "./thesaurus.js"
import { analyze, splitWords, stem, STOP_WORDS } from "./tokenize.js"

/** One way to match a group: all of `terms` (summed), scaled by `weight`. */
export interface Alternative {
  terms: readonly string[]
  weight: number
}

/** A query word or phrase with its alternatives; the original words come first at weight 1. */
export interface QueryGroup {
  text: string
  alternatives: readonly Alternative[]
  /** The words are a thesaurus phrase ("who changed"): they mean its concept, not their verbs. */
  phrase: boolean
  /** The intent the words name: an action word ("make" → create) or a thesaurus phrase's action. */
  action?: Action
}

/** An analysed query. */
export interface ParsedQuery {
  groups: readonly QueryGroup[]
  /** The action the query asks for, when it names one ("make" → "create"). */
  action?: Action
  /**
   * The stemmed first content word and its single-word alternatives ("bookmark" → "star"),
   * compared with each tool's leading verb ("Star a repository").
   */
  verbs: readonly string[]
}

/** Which expansions to apply and at what weight. */
export interface ExpansionOptions {
  /** Weight of another word of the same action set ("make" → "create"). Default 0.6; 0 turns it off. */
  actionSynonymWeight?: number
  /** Weight of an abbreviation's expansion ("repo" → "repository"). Default 1; 0 turns it off. */
  abbreviationWeight?: number
  /** Weight of a thesaurus concept ("website" → "zone"). Default 0.7; 0 turns it off. */
  thesaurusWeight?: number
  /** Weight of the concept of a matched multi-word phrase ("without opening ports" → "tunnel"). Default 1. */
  phraseWeight?: number
  /** Extra thesaurus entries (general vocabulary of your domain). Default none. */
  thesaurus?: readonly ThesaurusEntry[]
  /**
   * The thesaurus `thesaurus` is added to: default the built-in {@link THESAURUS}; `[]` uses only
   * your own entries (the benchmark's leave-out run passes a filtered copy).
   */
  baseThesaurus?: readonly ThesaurusEntry[]
}

/**
 * The compiled lexicon: phrase key → alternatives. A phrase is keyed by the stems of its content
 * words, so "api calls do I have left" meets "api call left"; a phrase whose meaning rests on its stop
 * words ("who am I", "who changed") is keyed by all its stems behind a `=` and matched word for word.
 */
export interface Lexicon {
  phrases: ReadonlyMap<string, readonly Alternative[]>
  /** The intent a thesaurus phrase implies ("kick out" → delete). */
  actions: ReadonlyMap<string, Action>
  maxPhraseWords: number
  phraseWeight: number
  /** Lower-cased names kept whole in queries (namespaces: "GitHub" must not become "git hub"). */
  wholeWords: ReadonlySet<string>
}

function phraseKey(phrase: string): string {
  const words = splitWords(phrase)
  const content = words.filter((w) => !STOP_WORDS.has(w)).map(stem)
  if (content.length >= 2 || (content.length === words.length && content.length > 0)) return content.join(" ")
  return `=${words.map(stem).join(" ")}`
}

/**
 * Compiles the action sets, abbreviations and thesaurus into one lookup table. `wholeWords` are
 * names (namespaces) that queries may write in any case and that are never split.
 */
export function compileLexicon(options: ExpansionOptions = {}, wholeWords: Iterable<string> = []): Lexicon {
  const actionWeight = options.actionSynonymWeight ?? 0.6
  const abbreviationWeight = options.abbreviationWeight ?? 1
  const thesaurusWeight = options.thesaurusWeight ?? 0.7
  const phrases = new Map<string, Alternative[]>()
  const actions = new Map<string, Action>()
  let maxPhraseWords = 1
  const add = (from: string, to: string, weight: number) => {
    const key = phraseKey(from)
    const terms = analyze(to)
    if (key === "=" || terms.length === 0 || weight <= 0) return
    maxPhraseWords = Math.max(maxPhraseWords, key.split(" ").length)
    let list = phrases.get(key)
    if (!list) phrases.set(key, (list = []))
    list.push({ terms, weight })
  }
  for (const [action, words] of Object.entries(ACTION_WORDS) as [Action, readonly string[]][]) {
    for (const w of words) {
      actions.set(phraseKey(w), action)
      if (actionWeight > 0) for (const other of words) if (other !== w) add(w, other, actionWeight)
    }
  }
  if (abbreviationWeight > 0) {
    for (const set of ABBREVIATIONS) for (const a of set) for (const b of set) if (a !== b) add(a, b, abbreviationWeight)
  }
  if (thesaurusWeight > 0) {
    for (const [user, api, action] of [...(options.baseThesaurus ?? THESAURUS), ...(options.thesaurus ?? [])]) {
      for (const u of user.split("|")) {
        for (const a of api.split("|")) add(u, a, thesaurusWeight)
        if (action !== undefined) actions.set(phraseKey(u), action)
      }
    }
  }
  const whole = new Set([...wholeWords].map((w) => w.toLowerCase()))
  return { phrases, actions, maxPhraseWords, phraseWeight: options.phraseWeight ?? 1, wholeWords: whole }
}

function dedupe(alternatives: Alternative[]): Alternative[] {
  const best = new Map<string, Alternative>()
  for (const alt of alternatives) {
    const key = alt.terms.join(" ")
    const seen = best.get(key)
    if (!seen || seen.weight < alt.weight) best.set(key, alt)
  }
  return [...best.values()]
}

/** Longest phrase of `keys` (already prefixed) starting at `i`; 0 when none of two or more words. */
function longestPhrase(keys: readonly string[], i: number, prefix: string, lexicon: Lexicon): number {
  for (let len = Math.min(lexicon.maxPhraseWords, keys.length - i); len > 1; len--) {
    if (lexicon.phrases.has(prefix + keys.slice(i, i + len).join(" "))) return len
  }
  return 0
}

const QUESTION_WORDS: ReadonlySet<string> = new Set(["who", "what", "whats", "which", "how", "where", "when", "is", "are", "does", "do", "did"])

function queryAction(groups: readonly QueryGroup[], firstWord: string | undefined): Action | undefined {
  const found = groups.flatMap((g) => (g.action === undefined ? [] : [g.action]))
  if (found.includes("list") && found.includes("get")) return "list"
  // "who am I logged in as", "how many calls are left": a question asks to read something
  return found[0] ?? (firstWord !== undefined && QUESTION_WORDS.has(firstWord) ? "get" : undefined)
}

function makeGroup(span: readonly string[], key: string, lexicon: Lexicon, phrase: boolean): QueryGroup | undefined {
  const original = analyze(span.join(" "))
  let expansions = lexicon.phrases.get(key) ?? []
  // A matched multi-word phrase is strong evidence for its concept.
  if (phrase) expansions = expansions.map((alt) => ({ terms: alt.terms, weight: Math.max(alt.weight, lexicon.phraseWeight) }))
  const alternatives = dedupe([...(original.length > 0 ? [{ terms: original, weight: 1 }] : []), ...expansions])
  if (alternatives.length === 0) return undefined
  // a phrase means its concept ("turn on" → enable, "who changed" → none), a word means itself
  const action = lexicon.actions.get(key) ?? (phrase || original.length !== 1 ? undefined : actionOfWord(original[0] as string))
  return { text: span.join(" "), alternatives, phrase, ...(action !== undefined && { action }) }
}

/**
 * Splits `query` into groups — word-for-word phrases first, then the longest content-word phrases,
 * then single words — and finds its action.
 */
export function parseQuery(query: string, lexicon: Lexicon): ParsedQuery {
  const words = splitWords(query.replace(/[A-Za-z0-9]+/g, (w) => (lexicon.wholeWords.has(w.toLowerCase()) ? w.toLowerCase() : w)))
  const stems = words.map(stem)
  const found: Array<{ at: number; group: QueryGroup }> = []
  const used = new Set<number>()
  for (let i = 0; i < words.length; i++) {
    const len = longestPhrase(stems, i, "=", lexicon)
    if (len === 0) continue
    const group = makeGroup(words.slice(i, i + len), `=${stems.slice(i, i + len).join(" ")}`, lexicon, true)
    if (group) found.push({ at: i, group })
    for (let k = i; k < i + len; k++) used.add(k)
    i += len - 1
  }
  const content = words.flatMap((w, i) => (used.has(i) || STOP_WORDS.has(w) ? [] : [i]))
  const keys = content.map((i) => stems[i] as string)
  for (let c = 0; c < content.length; ) {
    const len = Math.max(1, longestPhrase(keys, c, "", lexicon))
    const at = content.slice(c, c + len)
    const group = makeGroup(at.map((i) => words[i] as string), keys.slice(c, c + len).join(" "), lexicon, len > 1)
    if (group) found.push({ at: at[0] as number, group })
    c += len
  }
  const groups = found.sort((a, b) => a.at - b.at).map((f) => f.group)
  const action = queryAction(groups, words[0])
  const lead = found.find((f) => f.at === content[0])?.group
  const verbs = lead ? lead.alternatives.filter((a) => a.terms.length === 1).map((a) => a.terms[0] as string) : []
  return { groups, verbs, ...(action !== undefined && { action }) }
}
