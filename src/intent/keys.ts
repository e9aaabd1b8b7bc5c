/** `namespace/name`, the key used for advertisements, peers and services everywhere in intent. */
export function keyOf(o: { readonly ref: { readonly namespace: string; readonly name: string } }): string {
  return `${o.ref.namespace}/${o.ref.name}`;
}
