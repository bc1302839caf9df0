/** OpenAPI 3.0/3.1 tool source. */
export { openapi } from "./source.js"
export { loadOpenApiDocument, type LoadOpenApiOptions } from "./load.js"
export {
  DEFAULT_OPENAPI_MAX_RESPONSE_BYTES,
  DEFAULT_OPENAPI_TIMEOUT_MS,
  type OpenApiAuth,
  type OpenApiDocument,
  type OpenApiOptions,
  type OpenApiServer,
  type SecretValue,
} from "./types.js"
