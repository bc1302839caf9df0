export { scriptedModelServer } from "./scripted-model.js"
export type { ScriptedModelServer, ScriptedModelOptions, ScriptedTurn, ScriptedToolCall, ScriptedRequest, Script } from "./scripted-model.js"
