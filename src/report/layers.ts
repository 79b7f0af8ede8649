/**
 * Layers of the step graph for drawing it left to right: a step's layer is the length of the
 * longest dependency path that reaches it, so every edge points rightwards. Dependencies on steps
 * that are not in the list (a changed pipeline file) are ignored; a cycle cannot occur in a
 * validated pipeline, but is broken rather than looped on.
 */

export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

export function longestPathLayers(nodes: readonly GraphNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const deps = (byId.get(id)?.dependsOn ?? []).filter((d) => byId.has(d));
    const layer = deps.length ? Math.max(...deps.map(layerOf)) + 1 : 0;
    visiting.delete(id);
    layers.set(id, layer);
    return layer;
  };
  for (const n of nodes) layerOf(n.id);
  return layers;
}

/** Nodes grouped by layer; within a layer, in the order given (the pipeline file's order). */
export function layerColumns<T extends GraphNode>(nodes: readonly T[], layers: ReadonlyMap<string, number>): T[][] {
  const columns: T[][] = [];
  for (const n of nodes) (columns[layers.get(n.id) ?? 0] ??= []).push(n);
  return columns.filter((c) => c !== undefined);
}
