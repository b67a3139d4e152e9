/**
 * `server.swap`: a swap file on a host with less memory than a threshold — created (fallocate, else dd),
 * mkswap'd, listed in /etc/fstab and switched on. Inside a container swap belongs to the host's kernel
 * (swapon is refused there): the file and the fstab line are still made, swapon is left out and the plan
 * says so. A host with enough memory gets no swap file; one that exists is left alone.
 */
import { changes, defineTask, errors, noop, quote } from '@runbook/core';

export interface SwapOptions {
  path: string;
  /** bytes */
  size: number;
  /** bytes: hosts with at least this much memory get no swap */
  belowMemory: number;
}

export interface SwapFacts {
  /** MemTotal, bytes */
  memory: number;
  /** the file's size in bytes; null when there is no file */
  fileSize: number | null;
  active: boolean;
  inFstab: boolean;
  /** systemd-detect-virt --container: 'none' on a VM or bare metal */
  container: string;
}

interface SwapState { create: boolean; swapoff: boolean; fstab: boolean; swapon: boolean }

export const formatSize = (bytes: number): string =>
  bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3}G` : `${Math.round(bytes / 1024 ** 2)}M`;

const factCommand = (p: string): string => [
  "sed -n 's/^MemTotal: *\\([0-9]*\\) kB$/\\1/p' /proc/meminfo",
  `stat -c %s -- ${quote(p)} 2>/dev/null || echo none`,
  `awk -v p=${quote(p)} '$1 == p { f = 1 } END { print f ? "on" : "off" }' /proc/swaps`,
  `awk -v p=${quote(p)} '$1 == p && $3 == "swap" { f = 1 } END { print f ? "fstab" : "nofstab" }' /etc/fstab 2>/dev/null || echo nofstab`,
  'systemd-detect-virt --container 2>/dev/null || true',
].join('\n');

export function parseSwap(r: { stdout: string }): SwapFacts {
  const [mem, size, active, fstab, container] = r.stdout.split('\n');
  if (!/^[0-9]+$/.test(mem ?? '')) throw errors.fact(`no MemTotal in /proc/meminfo: ${JSON.stringify(mem)}`);
  return {
    memory: Number(mem) * 1024,
    fileSize: size === 'none' ? null : Number(size),
    active: active === 'on',
    inFstab: fstab === 'fstab',
    container: container?.trim() || 'none',
  };
}

export const swap = defineTask<SwapOptions, { swap: SwapFacts }, SwapState>({
  name: 'server.swap',
  describe: (o) => `swap file ${o.path} (${formatSize(o.size)}) below ${formatSize(o.belowMemory)} of memory`,
  facts: (o) => ({ swap: { command: factCommand(o.path), parse: parseSwap } }),
  check({ swap: f }, o) {
    if (f.memory >= o.belowMemory) return noop(`memory ${formatSize(f.memory)} ≥ ${formatSize(o.belowMemory)}: no swap file needed`);
    const inContainer = f.container !== 'none';
    const create = f.fileSize !== o.size;
    const s: SwapState = { create, swapoff: create && f.active, fstab: !f.inFstab, swapon: !inContainer && (create || !f.active) };
    const lines = [
      ...(create ? [`${f.fileSize === null ? 'create' : `recreate (was ${formatSize(f.fileSize)})`} ${o.path} (${formatSize(o.size)})`] : []),
      ...(s.fstab ? [`add ${o.path} to /etc/fstab`] : []),
      ...(s.swapon ? [`swapon ${o.path}`] : []),
    ];
    const note = inContainer ? ` (not switched on: in a ${f.container} container swap is the host kernel's)` : '';
    if (lines.length === 0) return noop(`${o.path} (${formatSize(o.size)}) in /etc/fstab${inContainer ? '' : ', on'}${note}`);
    return changes(inContainer ? [...lines, `no swapon${note}`] : lines, { state: s });
  },
  apply: (p, o) => {
    const s = p.state!;
    const q = quote(o.path);
    const mib = Math.ceil(o.size / 1024 ** 2);
    const script = [
      ...(s.swapoff ? [`swapoff -- ${q}`] : []),
      ...(s.create ? [
        `rm -f -- ${q}`,
        `(umask 077; fallocate -l ${o.size} -- ${q} 2>/dev/null || dd if=/dev/zero of=${q} bs=1M count=${mib} status=none)`,
        `chmod 0600 -- ${q}`,
        `mkswap -- ${q} >/dev/null`,
      ] : []),
      ...(s.fstab ? [`printf '%s none swap sw 0 0\\n' ${q} >> /etc/fstab`] : []),
      ...(s.swapon ? [`swapon -- ${q}`] : []),
    ].join('\n');
    return [{ script, display: `swap file ${o.path}` }];
  },
});
