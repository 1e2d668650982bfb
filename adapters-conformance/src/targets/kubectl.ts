/**
 * Reads Kubernetes objects with kubectl: a client of the platform's own, independent of the adapter
 * under test, for a live target's read-backs. Names reach kubectl's argv only after they are checked
 * to be Kubernetes object names (so none is taken for a flag); no shell is involved.
 */
import { execFile } from "node:child_process";

/** A Kubernetes object name or namespace (DNS-1123 subdomain). */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Options of {@link kubectlReader}. */
export interface KubectlOptions {
  readonly kubeconfig: string;
  readonly context?: string;
  /** The kubectl executable. Default `kubectl` on PATH. */
  readonly kubectl?: string;
}

/** Reads objects of one cluster. */
export interface KubectlReader {
  /** The object as JSON, or undefined when the cluster has none of that name. */
  get<T>(resource: string, namespace: string, name: string): Promise<T | undefined>;
  /** Whether kubectl runs here (`kubectl version --client`); the reason when it does not. */
  usable(): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
}

function run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: error && code === -1 ? `${String(stderr)}${error.message}` : String(stderr) });
    });
  });
}

/** A reader of the cluster `options.kubeconfig` names. */
export function kubectlReader(options: KubectlOptions): KubectlReader {
  const kubectl = options.kubectl ?? "kubectl";
  const base = ["--kubeconfig", options.kubeconfig, ...(options.context ? ["--context", options.context] : [])];
  return {
    async get<T>(resource: string, namespace: string, name: string): Promise<T | undefined> {
      for (const [what, value] of [["namespace", namespace], ["name", name]] as const) {
        if (!OBJECT_NAME.test(value)) throw new Error(`kubectl read-back: ${JSON.stringify(value)} is no Kubernetes ${what}`);
      }
      const out = await run(kubectl, [...base, "get", resource, name, "--namespace", namespace, "--output", "json"]);
      if (out.code === 0) return JSON.parse(out.stdout) as T;
      if (/\(NotFound\)/.test(out.stderr)) return undefined;
      throw new Error(`kubectl get ${resource} ${namespace}/${name} exited ${out.code}: ${out.stderr.trim()}`);
    },
    async usable() {
      const out = await run(kubectl, ["version", "--client", "--output", "json"]);
      return out.code === 0 ? { ok: true } : { ok: false, reason: `${kubectl} does not run here (${out.stderr.trim() || `exit ${out.code}`}): set VMSHIFT_KUBECTL to a kubectl` };
    },
  };
}
