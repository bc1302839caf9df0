/**
 * Checking `structuredContent` against a tool's `outputSchema` for every tool. The SDK client checks
 * only the tools of the last `tools/list` page it saw (it resets its cache per page), so codemode
 * checks itself, with the SDK's own Ajv-based validator.
 */
import type { CallToolResult, Tool as McpTool } from "@modelcontextprotocol/sdk/types.js"
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"

/** Returns why `result` breaks `tool.outputSchema`, or `undefined` when it is fine (or nothing is declared). */
export type OutputCheck = (tool: McpTool, result: CallToolResult) => string | undefined

/** A checker with its own validator cache (compiled once per tool definition). */
export function createOutputCheck(): OutputCheck {
  let ajv: AjvJsonSchemaValidator | undefined
  const validators = new WeakMap<McpTool, JsonSchemaValidator<unknown> | null>()
  const validatorFor = (tool: McpTool): JsonSchemaValidator<unknown> | null => {
    let validator = validators.get(tool)
    if (validator === undefined) {
      try {
        ajv ??= new AjvJsonSchemaValidator()
        validator = ajv.getValidator(tool.outputSchema as JsonSchemaType)
      } catch {
        validator = null // a schema Ajv cannot compile is the server's problem; do not block its results
      }
      validators.set(tool, validator)
    }
    return validator
  }
  return (tool, result) => {
    if (!tool.outputSchema || result.isError) return undefined
    if (result.structuredContent === undefined) return "it declares an outputSchema but returned no structuredContent"
    const check = validatorFor(tool)?.(result.structuredContent)
    return check && !check.valid ? check.errorMessage : undefined
  }
}
