// The bridge (10.77.0.1/24) and one netns + veth pair per slot. No NAT: hosts reach only the bridge.
import { $ } from 'zx';
import { BRIDGE, BRIDGE_ADDRESS, slotNames } from './paths.js';

export async function linkExists(name: string): Promise<boolean> {
  return (await $`ip link show dev ${name}`.nothrow().quiet()).exitCode === 0;
}

export async function ensureBridge(): Promise<void> {
  if (!(await linkExists(BRIDGE))) {
    const r = await $`ip link add ${BRIDGE} type bridge`.nothrow().quiet();
    if (r.exitCode !== 0 && !(await linkExists(BRIDGE))) throw new Error(`ip link add ${BRIDGE}: ${r.stderr}`);
  }
  await $`ip addr replace ${BRIDGE_ADDRESS}/24 dev ${BRIDGE}`.quiet();
  await $`ip link set ${BRIDGE} up`.quiet();
}

export async function deleteBridge(): Promise<void> {
  if (await linkExists(BRIDGE)) await $`ip link del ${BRIDGE}`.nothrow().quiet();
}

export async function createHostNet(slot: number): Promise<void> {
  const { netns, veth, address } = slotNames(slot);
  await $`ip netns add ${netns}`.quiet();
  await $`ip link add ${veth} type veth peer name eth0 netns ${netns}`.quiet();
  await $`ip link set ${veth} master ${BRIDGE} up`.quiet();
  await $`ip -n ${netns} link set lo up`.quiet();
  await $`ip -n ${netns} addr add ${address}/24 dev eth0`.quiet();
  await $`ip -n ${netns} link set eth0 up`.quiet();
}

/** Deleting the netns also deletes its eth0 and with it the veth peer; both are tried anyway. */
export async function deleteHostNet(slot: number): Promise<void> {
  const { netns, veth } = slotNames(slot);
  await $`ip link del ${veth}`.nothrow().quiet();
  await $`ip netns del ${netns}`.nothrow().quiet();
}

/** Names of our netns / veth that exist right now (to find orphans of unrecorded slots). */
export async function listOurNet(): Promise<{ netns: number[]; veth: number[] }> {
  const ns = (await $`ip netns list`.nothrow().quiet()).stdout;
  const links = (await $`ip -o link show`.nothrow().quiet()).stdout;
  const nums = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => Number(m[1]));
  return { netns: nums(ns, /^rbth-(\d+)\b/gm), veth: nums(links, /^\d+: rbthv(\d+)[@:]/gm) };
}
