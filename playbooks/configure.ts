/** `run configure --env E`: the built-in playbook, made from the config's plugins. A file here overrides it; this one shows how. */
import { builtinPlaybooks } from '@runbook/core';

export default builtinPlaybooks.configure;
