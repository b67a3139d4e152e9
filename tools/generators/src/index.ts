// @runbook/tools: the workspace's Nx generators (generators.json); the plugin generator is also callable from code.
export { pluginGenerator, testSetName, type PluginGeneratorSchema } from './plugin/generator.js';
