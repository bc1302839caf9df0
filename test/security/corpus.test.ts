/**
 * Every payload of ../shared/security (escape + dos) against every sandbox backend the project has.
 */
import { quickjs, quickjsMemoryOverhead } from "../../src/sandbox/quickjs/index.js"
import { testSecurityCorpus } from "../sandbox/security-suite.js"

testSecurityCorpus({ name: "quickjs", create: () => quickjs(), memoryOverheadBytes: quickjsMemoryOverhead() })
