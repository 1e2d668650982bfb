/**
 * Merging the files of `$KUBECONFIG` as kubectl does: the first file to set a value or a named
 * entry wins, and a later file never changes it. A cluster, user or context named in two files is
 * taken whole from the first; `current-context` comes from the first file that sets it.
 */
import type { KubeconfigDocument, RawEntry } from "./parse.ts";

function firstWins(documents: readonly KubeconfigDocument[], pick: (d: KubeconfigDocument) => ReadonlyMap<string, RawEntry>): Map<string, RawEntry> {
  const out = new Map<string, RawEntry>();
  for (const document of documents) for (const [name, entry] of pick(document)) if (!out.has(name)) out.set(name, entry);
  return out;
}

/** The merged view of several kubeconfig files, in `$KUBECONFIG` order. */
export function mergeKubeconfigs(documents: readonly KubeconfigDocument[], source: string): KubeconfigDocument {
  const currentContext = documents.find((d) => d.currentContext !== undefined)?.currentContext;
  return {
    source,
    clusters: firstWins(documents, (d) => d.clusters),
    users: firstWins(documents, (d) => d.users),
    contexts: firstWins(documents, (d) => d.contexts),
    ...(currentContext === undefined ? {} : { currentContext }),
  };
}
