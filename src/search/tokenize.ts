/**
 * Text analysis for the search index: splitting identifiers, paths and prose into words, dropping
 * stop words and reducing words to a light stem, so that "DnsRecords", "dns_records" and
 * "DNS record" all meet on the same terms.
 */

/** Words that carry no meaning for choosing a tool. Action verbs ("get", "new", "show") are kept. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "an", "the", "of", "for", "to", "in", "on", "at", "by", "with", "from", "into", "onto", "as",
  "and", "or", "but", "not", "no", "is", "are", "was", "were", "be", "been", "being", "am",
  "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he", "she", "they",
  "them", "their", "it", "its", "this", "that", "these", "those", "there", "here",
  "do", "does", "did", "done", "can", "could", "should", "would", "will", "shall", "may", "might",
  "must", "want", "wants", "need", "needs", "like", "please", "let", "lets", "so", "if", "then",
  "than", "just", "also", "very", "some", "any", "each", "which", "what", "whats", "how", "when",
  "where", "why", "who", "whom", "whose", "about", "via", "using", "use", "s", "t", "e", "g", "ie",
  "eg", "etc", "has", "have", "had", "having", "one", "someone", "somebody", "something", "thing",
  "things", "up", "out", "over", "under", "again", "only", "own", "too", "more", "most", "much",
  "many", "such", "else", "anyone", "anybody", "anything", "everyone", "everybody", "everything", "specific", "specified", "given", "particular", "certain", "way", "able",
])

/**
 * Splits text into lower-case words: camelCase and PascalCase boundaries, acronym runs ("DNSRecord"
 * → "dns", "record"), snake_case, kebab-case, paths and punctuation all separate words; a possessive
 * "'s" and the plural "s" of an acronym ("PRs", "IDs") are dropped. Digits stay attached to letters ("r2", "d1", "v4").
 */
export function splitWords(text: string): string[] {
  const spaced = text
    .replace(/['’]s\b/g, "")
    .replace(/\b([A-Z]{2,})s\b/g, "$1")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
  const words = spaced.toLowerCase().match(/[a-z0-9]+/g)
  return words ?? []
}

const VOWEL = /[aeiouy]/

function undouble(stem: string): string {
  const last = stem[stem.length - 1]
  if (stem.length >= 4 && last === stem[stem.length - 2] && last !== undefined && !"lsz".includes(last)) {
    return stem.slice(0, -1)
  }
  return stem
}

function stripPlural(word: string): string {
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`
  if (word.endsWith("sses")) return word.slice(0, -2)
  if (/(x|ch|sh|zz)es$/.test(word)) return word.slice(0, -2)
  if (word.endsWith("s") && !/(ss|us|is|as)$/.test(word) && word.length > 3) return word.slice(0, -1)
  return word
}

function stripSuffix(word: string): string {
  let stripped: string | undefined
  if (word.endsWith("ing") && word.length - 3 >= 4 && VOWEL.test(word.slice(0, -3))) stripped = undouble(word.slice(0, -3))
  else if (word.endsWith("ed") && !word.endsWith("eed") && word.length - 2 >= 3 && VOWEL.test(word.slice(0, -2))) {
    stripped = undouble(word.slice(0, -2))
  }
  // "validated" → "validat" → "valid", to meet "validate" → "valid" (see the -ate rule below).
  if (stripped !== undefined) return stripped.endsWith("at") && stripped.length - 2 >= 4 ? stripped.slice(0, -2) : stripped
  if (word.endsWith("ment") && word.length - 4 >= 5) return word.slice(0, -4)
  if (word.endsWith("ation") && word.length - 5 >= 4) return word.slice(0, -5)
  if (word.endsWith("tion") && word.length - 4 >= 3) return word.slice(0, -3)
  if (word.endsWith("ate") && word.length - 3 >= 4) return word.slice(0, -3)
  return word
}

/** Words the suffix rules would merge with a different word ("settings" is not "set"). */
const STEM_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["setting", "setting"],
  ["settings", "setting"],
  ["news", "news"],
  ["logged", "logged"],
])

/**
 * A light English stemmer (plural, -ing, -ed, -ment, -ation, -tion, -ate, final -e), tuned for API
 * vocabulary: "policies" → "policy", "created"/"create"/"creation" → "creat", "deployments" →
 * "deploy", "settings" → "set", "invitation"/"invite" → "invit", "validation"/"validate" → "valid". Words of three letters or fewer are kept as they are.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /^[0-9]/.test(word)) return word
  const exception = STEM_EXCEPTIONS.get(word)
  if (exception !== undefined) return exception
  let w = stripSuffix(stripPlural(word))
  if (w.length >= 4 && w.endsWith("e")) w = w.slice(0, -1)
  return w
}

/** Words of `text` (see {@link splitWords}) without stop words, stemmed. */
export function analyze(text: string): string[] {
  const terms: string[] = []
  for (const word of splitWords(text)) if (!STOP_WORDS.has(word)) terms.push(stem(word))
  return terms
}
