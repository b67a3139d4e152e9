// @runbook/testing: what a plugin's integration test needs — a real test host, plugin phases run on it, checks from outside.
export { boot, explain, settle, type Harness, type Outcome } from './boot-test-host.js';
