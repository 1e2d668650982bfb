/** An in-memory {@link KubeconfigSystem} for tests: files, environment, home directory and a scripted exec runner. */
import type { ExecOutcome, ExecRequest, KubeconfigSystem } from "../src/kubeconfig/system.ts";

/** A fake system plus what the tests turn and read. */
export interface FakeSystem extends KubeconfigSystem {
  readonly files: Map<string, string>;
  /** Every exec request, in order. */
  readonly runs: ExecRequest[];
  /** Bumps a file's stamp (as a rewrite or a symlink swap does). */
  touch(path: string, text: string): void;
}

/** `plugin` answers each exec request (default: exit 1). */
export function fakeSystem(options: { files?: Record<string, string>; env?: Record<string, string>; homeDir?: string; cwd?: string; plugin?: (request: ExecRequest) => ExecOutcome | Promise<ExecOutcome> } = {}): FakeSystem {
  const files = new Map(Object.entries(options.files ?? {}));
  const stamps = new Map<string, number>();
  const runs: ExecRequest[] = [];
  const missing = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
  return {
    files,
    runs,
    env: options.env ?? {},
    homeDir: options.homeDir ?? "/home/user",
    cwd: options.cwd ?? "/work",
    pathDelimiter: ":",
    readFileSync(path) {
      const text = files.get(path);
      if (text === undefined) throw missing(path);
      return text;
    },
    existsSync: (path) => files.has(path),
    async readFile(path) {
      const text = files.get(path);
      if (text === undefined) throw missing(path);
      return Buffer.from(text);
    },
    async stat(path) {
      const text = files.get(path);
      if (text === undefined) throw missing(path);
      return { mtimeMs: stamps.get(path) ?? 0, size: text.length, ino: 1 };
    },
    async exec(request) {
      runs.push(request);
      if (!options.plugin) return { code: 1, stdout: "", stderr: "no plugin" };
      return options.plugin(request);
    },
    touch(path, text) {
      files.set(path, text);
      stamps.set(path, (stamps.get(path) ?? 0) + 1);
    },
  };
}
