/**
 * What a run reports. Every event passes through `maskDeep` at the one place events are emitted, so no
 * reporter (TTY, plain, JSON) can print a secret value.
 */
import type { ConnectionStats } from './connection.js';
import type { RunbookError } from './errors.js';
import { maskDeep } from './secret.js';
import type { TaskStatus } from './run-task.js';

export interface HostRecap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
  execs: number;
  bytesSent: number;
  bytesReceived: number;
  ms: number;
  /** what the host was left with, as its tasks reported it @example { release: '20261124T061100Z-3f9a1c' } */
  state?: Record<string, string>;
}

export interface ErrorInfo {
  code: string;
  message: string;
  command?: string;
  stderr?: string;
}

export type RunEvent =
  | { type: 'run'; playbook: string; env: string; hosts: string[]; check: boolean }
  // idle: the host has no task in this playbook and is not connected (its only event)
  | { type: 'host'; host: string; status: 'connecting' | 'connected' | 'unreachable' | 'done' | 'stopped' | 'idle'; error?: ErrorInfo; ms?: number }
  | { type: 'task:start'; host: string; phase: string; task: string; title: string; handler?: boolean }
  | {
      type: 'task';
      host: string;
      phase: string;
      task: string;
      title: string;
      status: TaskStatus;
      handler?: boolean;
      /** set for tasks of a phase's rescue or always list */
      block?: 'rescue' | 'always';
      changes?: string[];
      reason?: string;
      diff?: string;
      error?: ErrorInfo;
      ms: number;
    }
  | { type: 'aborted'; reason: string }
  | { type: 'recap'; hosts: Record<string, HostRecap> };

export type EventSink = (event: RunEvent) => void;

export function errorInfo(e: RunbookError): ErrorInfo {
  const { command, stderr } = e.details;
  return { code: e.code, message: e.message, ...(command ? { command } : {}), ...(stderr ? { stderr } : {}) };
}

/** Wraps sinks so that each receives masked events. */
export const maskedSink = (...sinks: EventSink[]): EventSink => (event) => {
  const masked = maskDeep(event);
  for (const sink of sinks) sink(masked);
};

export const newRecap = (): HostRecap => ({
  ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false, execs: 0, bytesSent: 0, bytesReceived: 0, ms: 0,
});

export const addStats = (recap: HostRecap, stats: ConnectionStats): void => {
  recap.execs = stats.execs;
  recap.bytesSent = stats.bytesSent;
  recap.bytesReceived = stats.bytesReceived;
};
