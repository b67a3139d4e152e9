// Host naming: `${set}${i}`. A set name must end in a letter, so the trailing digits always
// belong to the index and two sets can never produce the same host name ("a1"+"1" vs "a"+"11").
export const SET_RE = /^[a-z](?:[a-z0-9-]{0,30}[a-z])?$/;

export function checkSet(set: string): string {
  if (!SET_RE.test(set)) {
    throw new Error(`invalid set name ${JSON.stringify(set)}: lowercase letters, digits and '-', start and end with a letter, ≤ 32 chars`);
  }
  return set;
}

export function hostName(set: string, index: number): string {
  return `${checkSet(set)}${index}`;
}
