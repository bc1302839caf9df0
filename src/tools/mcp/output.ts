/**
 * Checking `structuredContent` against a tool's `outputSchema` for every tool. The SDK client checks
 * only the tools of the last `tools/list` page it saw (it resets its cache per page), so codemode
 * checks itself, with the SDK's own Ajv-based validator.
 */
import type { CallToolResult, Tool as McpTool } from "@modelcontextprotocol/sdk/types.js"
import type { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"

/**
 * Resolves to why `result` breaks `tool.outputSchema`, or `undefined` when it is fine (or nothing is
 * declared). Ajv is loaded with the first tool that declares an output schema.
 */
export type OutputCheck = (tool: McpTool, result: CallToolResult) => Promise<string | undefined>

/** A checker with its own validator cache (compiled once per tool definition). */
export function createOutputCheck(): OutputCheck {
  let ajv: Promise<AjvJsonSchemaValidator> | undefined
  const validators = new WeakMap<McpTool, JsonSchemaValidator<unknown> | null>()
  const validatorFor = async (tool: McpTool): Promise<JsonSchemaValidator<unknown> | null> => {
    if (!validators.has(tool)) {
      ajv ??= import("@modelcontextprotocol/sdk/validation/ajv").then((m) => new m.AjvJsonSchemaValidator())
      const checker = await ajv
      if (!validators.has(tool)) {
        let validator: JsonSchemaValidator<unknown> | null = null
        try {
          validator = checker.getValidator(tool.outputSchema as JsonSchemaType)
        } catch {
          // a schema Ajv cannot compile is the server's problem; do not block its results
        }
        validators.set(tool, validator)
      }
    }
    return validators.get(tool) ?? null
  }
  return async (tool, result) => {
    if (!tool.outputSchema || result.isError) return undefined
    if (result.structuredContent === undefined) return "it declares an outputSchema but returned no structuredContent"
    const check = (await validatorFor(tool))?.(result.structuredContent)
    return check && !check.valid ? check.errorMessage : undefined
  }
}
