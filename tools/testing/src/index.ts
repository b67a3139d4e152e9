// @runbook/testing: what a plugin author needs — a fake host for table tests of tasks, a PluginContext for
// table tests of hooks, real test hosts (boot or attach) with plugin phases run on them, the idempotence check.
export { attach, boot, explain, settle, type BootOptions, type ConfigureOptions, type Harness, type Outcome } from './boot-test-host.js';
export {
  FakeConnection, fakeHost, parseFramedScript, runOn,
  type FakeAnswer, type FakeExec, type FakeHostOptions, type FakeRun, type FakeStep, type FactTable,
} from './fake-host.js';
export { hostState, type DirectoryFixture, type FileFixture, type HostState, type UnitFixture } from './host-state.js';
export { pluginContext, type FleetEntry, type PluginContextOptions } from './plugin-context.js';
export { assertIdempotent, runTwice, type Twice } from './idempotent.js';
export { demoApp } from './demo-app.js';
export { checkoutSet } from '@runbook/testhosts';
