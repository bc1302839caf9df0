export { scriptedModelServer } from "./scripted-model.js"
export type { ScriptedModelServer, ScriptedModelOptions, ScriptedTurn, ScriptedToolCall, ScriptedRequest, ScriptedMessage, ScriptedApi, Script } from "./scripted-model.js"
