/**
 * What the Ansible tests share: a scratch directory whose children die with the test file, the
 * workspace CLI as the modules' `executable`, a private Ansible environment per run, and
 * `ansible-playbook` with a vars file whose results land in `<run>/out`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI_BIN } from "../test-support/cli-bin.ts";
import { shellQuote } from "../test-support/shell.ts";

/** This directory (the collection's parent: ANSIBLE_COLLECTIONS_PATH). */
export const ANSIBLE_DIR = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const ROOT = resolve(ANSIBLE_DIR, "..");
/** The test playbooks. */
export const PLAYBOOKS = join(ANSIBLE_DIR, "playbooks");
/** Debian's Python: ansible-core's own, with the sanity tools from Debian beside it. */
export const PYTHON = "/usr/bin/python3";

/** A finished command. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A played playbook: its run, where its results are (`out/<name>.json`) and the environment it had. */
export type Played = Run & { readonly out: string; readonly env: NodeJS.ProcessEnv };

/** One test file's scratch space and the processes it started. */
export class AnsibleWork {
  readonly dir: string;
  private readonly children: ChildProcess[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Kills what is still running and removes the scratch space (the test file's afterAll). */
  dispose(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Keeps `child` to kill in {@link dispose}. */
  track<T extends ChildProcess>(child: T): T {
    this.children.push(child);
    return child;
  }

  /**
   * The workspace CLI as the modules' executable: Node 24 (this process's) running the sources, with
   * the workspace's source-resolution hook and the repository's conformance targets (for
   * `target serve`).
   */
  wrapper(): string {
    const bin = join(this.dir, "bin", "vmshift");
    mkdirSync(dirname(bin), { recursive: true });
    const targets = process.env["VMSHIFT_CONFORMANCE_TARGETS"] ?? join(ROOT, "adapters-conformance", "targets", "index.ts");
    const hook = join(ROOT, "tools", "workspace-sources.mjs");
    writeFileSync(
      bin,
      [
        "#!/bin/sh",
        `hook=${shellQuote(hook)}`,
        'if [ -f "$hook" ]; then case " ${NODE_OPTIONS:-} " in *"$hook"*) ;; *) NODE_OPTIONS="--import=$hook ${NODE_OPTIONS:-}"; export NODE_OPTIONS ;; esac; fi',
        `VMSHIFT_CONFORMANCE_TARGETS="\${VMSHIFT_CONFORMANCE_TARGETS:-${targets}}"`,
        "export VMSHIFT_CONFORMANCE_TARGETS",
        `exec ${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(bin, 0o755);
    return bin;
  }

  /** A private environment for Ansible: its home, temp dirs and log under `<dir>/<name>`, no color, Debian's Python for modules. */
  ansibleEnv(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const dir = join(this.dir, name);
    for (const sub of ["home", "tmp", "local-tmp", "remote-tmp"]) mkdirSync(join(dir, sub), { recursive: true });
    return {
      ...process.env,
      ANSIBLE_COLLECTIONS_PATH: ANSIBLE_DIR,
      ANSIBLE_HOME: join(dir, "home"),
      ANSIBLE_LOCAL_TEMP: join(dir, "local-tmp"),
      ANSIBLE_REMOTE_TEMP: join(dir, "remote-tmp"),
      ANSIBLE_PYTHON_INTERPRETER: PYTHON,
      ANSIBLE_NOCOLOR: "1",
      ANSIBLE_FORCE_COLOR: "0",
      ANSIBLE_RETRY_FILES_ENABLED: "0",
      ANSIBLE_LOCALHOST_WARNING: "0",
      ANSIBLE_INVENTORY_UNPARSED_WARNING: "0",
      ANSIBLE_DEPRECATION_WARNINGS: "0",
      ANSIBLE_LOG_PATH: join(dir, "ansible.log"),
      ANSIBLE_PIPELINING: "1",
      TMPDIR: join(dir, "tmp"),
      ...extra,
    };
  }

  /** Runs a command to its end (without blocking the event loop, so watchers can run meanwhile). */
  run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
    return new Promise((resolveRun, reject) => {
      const child = this.track(spawn(command, args, { cwd: options.cwd ?? this.dir, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] }));
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr });
      });
    });
  }

  /** `ansible-playbook <file> -e @vars` in its own environment (`-vvvv` when `verbose`). */
  async playbook(name: string, file: string, vars: Record<string, unknown>, options: { verbose?: boolean; pipelining?: boolean } = {}): Promise<Played> {
    const out = join(this.dir, name, "out");
    mkdirSync(out, { recursive: true });
    const varsFile = join(this.dir, name, "vars.json");
    writeFileSync(varsFile, JSON.stringify({ out_dir: out, ...vars }), { mode: 0o600 });
    const env = this.ansibleEnv(name, options.pipelining === false ? { ANSIBLE_PIPELINING: "0" } : {});
    const args = ["-i", "localhost,", join(PLAYBOOKS, file), "-e", `@${varsFile}`, ...(options.verbose ? ["-vvvv"] : [])];
    const r = await this.run("ansible-playbook", args, { env });
    return { ...r, out, env };
  }
}
