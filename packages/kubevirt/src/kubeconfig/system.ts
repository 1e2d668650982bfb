/**
 * The I/O the kubeconfig code needs, injectable so tests never touch the real environment, home
 * directory, service-account mount or processes.
 */
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter } from "node:path";

/** What an exec plugin run produced. */
export interface ExecOutcome {
  /** Exit code; `null` when the process was killed (see `signal`). */
  readonly code: number | null;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run an exec credential plugin. */
export interface ExecRequest {
  readonly command: string;
  readonly args: readonly string[];
  /** The complete environment of the child (nothing is inherited beyond it). */
  readonly env: Readonly<Record<string, string>>;
  /** Kill the plugin after this long, ms. */
  readonly timeoutMs: number;
}

/** Runs a program without a shell, standard input closed. Rejects with the spawn error (e.g. `code: "ENOENT"`) when it cannot start. */
export type ExecRunner = (request: ExecRequest) => Promise<ExecOutcome>;

/** A file's identity, to notice that it was replaced or rewritten. */
export interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** Environment and file system as seen by the kubeconfig loader and the credential sources. */
export interface KubeconfigSystem {
  /** Environment variables (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`, …; also the base of an exec plugin's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The home directory (`~/.kube/config`). */
  readonly homeDir: string;
  /** Base of relative paths in kubeconfig text that comes from no file. */
  readonly cwd: string;
  /** Separator of `$KUBECONFIG` entries (`:`, or `;` on Windows). */
  readonly pathDelimiter: string;
  /** Reads a text file (loading is synchronous, as adapter construction is). */
  readFileSync(path: string): string;
  /** True when the path exists. */
  existsSync(path: string): boolean;
  /** Reads a file (certificates, keys, token files). */
  readFile(path: string): Promise<Buffer>;
  /** The file's stamp (follows symbolic links, as rotated service-account tokens are swapped through one). */
  stat(path: string): Promise<FileStamp>;
  /** Runs exec plugins. */
  readonly exec: ExecRunner;
}

/** Runs a plugin with `execFile` (no shell), stdin ignored, at most 4 MiB of output. */
export const nodeExecRunner: ExecRunner = (request) =>
  new Promise((resolve, reject) => {
    const child = execFile(request.command, [...request.args], { env: { ...request.env }, timeout: request.timeoutMs, maxBuffer: 4 * 2 ** 20, windowsHide: true, encoding: "utf8" }, (error, stdout, stderr) => {
      // A string code is a spawn or pipe failure (ENOENT, EACCES, too much output); a number is the exit code.
      if (error && typeof error.code === "string") return reject(error);
      const signal = error?.signal ?? undefined;
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, ...(signal ? { signal } : {}), stdout, stderr });
    });
    child.stdin?.end();
  });

/** The real process environment and file system. */
export function nodeSystem(): KubeconfigSystem {
  return {
    env: process.env,
    homeDir: homedir(),
    cwd: process.cwd(),
    pathDelimiter: delimiter,
    readFileSync: (path) => readFileSync(path, "utf8"),
    existsSync: (path) => {
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    readFile: (path) => readFile(path),
    stat: async (path) => {
      const s = await stat(path);
      return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
    },
    exec: nodeExecRunner,
  };
}
