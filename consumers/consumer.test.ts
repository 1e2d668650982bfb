/**
 * vmshift as its users get it: every published package packed as npm would publish it, served by a
 * scoped registry on loopback, installed with npm into a scratch project outside the workspace (no
 * links), then used the ways the README promises — ESM and require on Node 22 and 24, TypeScript
 * strict with nodenext and bundler resolution over the published declarations, an esbuild bundle,
 * and the CLI installed globally. publint and attw lint every tarball.
 */
import { execFileSync, spawn } from "node:child_process";
import { encodedForms } from "@vmshift/core";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { majorOf, node22 } from "./node-versions.ts";
import { type Packed, PUBLISHED_DIRS, ROOT, packAll } from "./packages.ts";
import { type ScopedRegistry, startScopedRegistry } from "./registry.ts";

/** The CLI and the suite are installed globally below; every other published package is a library. */
const GLOBAL_ONLY = ["@vmshift/cli", "@vmshift/conformance"];
let libraries: string[];
const BIN = join(ROOT, "node_modules", ".bin");
/** Whatever the workspace sets for its own runs must not leak into a consumer's. */
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VMSHIFT_") && k !== "NODE_OPTIONS"));

let work: string;
let project: string;
let packed: Packed[];
let registry: ScopedRegistry;
let node24: string;
let nodeOld: string;

/**
 * Runs a command in the scratch project; resolves with its outcome, never throws. Asynchronous on
 * purpose: the scoped registry serves npm from this same process.
 */
function run(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? project, env: { ...CLEAN_ENV, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${String(error)}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** npm with the @vmshift scope pointed at the loopback registry. */
async function npm(args: readonly string[], cwd = project) {
  const r = await run("npm", [...args, `--@vmshift:registry=${registry.url}`, "--no-audit", "--no-fund", "--loglevel=error"], { cwd });
  if (r.code !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${r.stderr}`);
  return r;
}

/** The README's SDK example, exactly as printed (`<!-- example: quick-migration.ts -->`). */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /<!-- example: quick-migration\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README has no quick-migration example");
  return block[1]!;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "vmshift-consumer-"));
  packed = packAll(join(work, "tarballs"));
  node24 = process.execPath;
  nodeOld = "/usr/bin/node";
  libraries = packed.map((p) => p.name).filter((name) => !GLOBAL_ONLY.includes(name));
  registry = await startScopedRegistry(packed);
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`);
  await npm(["install", ...libraries, "@types/node@24", "typescript@5.9.3"]);
}, 900_000);

afterAll(async () => {
  await registry?.close();
  if (work && process.env["VMSHIFT_KEEP_CONSUMER"] !== "1") rmSync(work, { recursive: true, force: true });
});

describe("published packages", () => {
  it("every publishable package was packed, and npm installed them from the scoped registry", async () => {
    const declared = PUBLISHED_DIRS.map((dir) => (JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string }).name);
    expect(packed.map((p) => p.name)).toEqual(declared);
    expect(libraries).toEqual(expect.arrayContaining(["@vmshift/core", "@vmshift/simulator", "@vmshift/kubevirt", "@vmshift/vsphere"]));
    for (const name of libraries) expect(registry.requests).toContain(`GET /${name}`);
  });

  it.each(PUBLISHED_DIRS.map((d) => [d]))("%s: publint and attw report nothing", async (dir) => {
    const p = packed[PUBLISHED_DIRS.indexOf(dir as (typeof PUBLISHED_DIRS)[number])]!;
    const publint = await run(join(BIN, "publint"), ["run", p.file, "--strict"], { cwd: ROOT });
    expect(publint.code, publint.stdout + publint.stderr).toBe(0);
    expect(publint.stdout).toContain("All good!");
    // ESM only: require() of these packages works from Node 22.12 (require(esm)); attw's CJS
    // resolution modes predate that, so its esm-only profile is the one that applies.
    const attw = await run(join(BIN, "attw"), [p.file, "--profile", "esm-only", "--format", "json"], { cwd: ROOT });
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
    const problems = (JSON.parse(attw.stdout) as { analysis: { problems?: { kind: string; resolutionKind?: string }[] } }).analysis.problems ?? [];
    expect(problems.filter((x) => x.resolutionKind !== "node10" && x.resolutionKind !== "node16-cjs")).toEqual([]);
  });

  it("every tarball carries LICENSE, README, dist with declarations and maps, and no tests or build info", async () => {
    for (const p of packed) {
      const files = execFileSync("tar", ["-tzf", p.file], { encoding: "utf8" }).split("\n");
      expect(files, p.name).toContain("package/LICENSE");
      expect(files, p.name).toContain("package/README.md");
      expect(files, p.name).toContain("package/dist/index.js");
      expect(files, p.name).toContain("package/dist/index.d.ts");
      expect(files, p.name).toContain("package/dist/index.d.ts.map");
      expect(files.filter((f) => /\.test\.[jt]s$|tsbuildinfo|\/test\//.test(f)), p.name).toEqual([]);
    }
  });
});

describe.each([
  ["24", () => node24],
  ["22", () => node22()],
])("the README's SDK example on Node %s", (major, node) => {
  it("runs as plain ESM (.mjs)", { timeout: 300_000 }, async () => {
    expect(majorOf(node())).toBe(Number(major));
    writeFileSync(join(project, "example.mjs"), readmeExample());
    const r = await run(node(), ["example.mjs"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^completed: web-01 on host-2, paused \d+(\.\d+)? ms$/);
  });

  it("runs through require() (CommonJS)", async () => {
    const body = readmeExample().replace(/await import\(("[^"]+")\)/g, "require($1)");
    expect(body).toContain('require("@vmshift/simulator")');
    writeFileSync(join(project, "example.cjs"), `(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exitCode = 1; });\n`);
    const r = await run(node(), ["example.cjs"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^completed: web-01 on host-2/);
  });
});

describe("TypeScript consumers (strict, skipLibCheck false, lib ES2022)", () => {
  it.each([
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
  ])("%s resolution compiles the published declarations", async (_name, resolution) => {
    copyFileSync(join(ROOT, "consumers", "fixtures", "types.ts"), join(project, "types.ts"));
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ ...JSON.parse(readFileSync(join(project, "package.json"), "utf8")), type: "module" }, null, 2)}\n`);
    const config = { compilerOptions: { ...resolution, target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: false, noEmit: true, types: ["node"], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true }, files: ["types.ts"] };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config, null, 2));
    const r = await run(node24, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("@vmshift/restate compiles strict with skipLibCheck false (exactOptionalPropertyTypes off: the Restate SDK's own declarations fail under it)", async () => {
    copyFileSync(join(ROOT, "consumers", "fixtures", "restate-types.ts"), join(project, "restate-types.ts"));
    const compilerOptions = { module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: false, noEmit: true, types: ["node"], noUncheckedIndexedAccess: true };
    writeFileSync(join(project, "tsconfig.restate.json"), JSON.stringify({ compilerOptions, files: ["restate-types.ts"] }, null, 2));
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    const r = await run(node24, [tsc, "-p", "tsconfig.restate.json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The day the SDK's declarations pass under exactOptionalPropertyTypes, this fails: move restate into types.ts.
    writeFileSync(join(project, "tsconfig.restate.json"), JSON.stringify({ compilerOptions: { ...compilerOptions, exactOptionalPropertyTypes: true }, files: ["restate-types.ts"] }, null, 2));
    const exact = await run(node24, [tsc, "-p", "tsconfig.restate.json"]);
    expect(exact.stdout).toMatch(/restate-sdk-core\/dist\/serde_api\.d\.ts.*TS2420/);
    expect(exact.stdout).not.toMatch(/^restate-types\.ts|node_modules\/@vmshift\//m);
  }, 180_000);
});

describe("a bundled consumer", () => {
  it("esbuild (ESM, platform node) bundles a kubevirt consumer that starts and reaches its transport", async () => {
    copyFileSync(join(ROOT, "consumers", "fixtures", "kubevirt-bundle.mjs"), join(project, "kubevirt-bundle.mjs"));
    const build = await run(join(BIN, "esbuild"), ["kubevirt-bundle.mjs", "--bundle", "--platform=node", "--format=esm", "--outfile=bundle.mjs", "--log-level=warning"]);
    expect(build.code, build.stderr).toBe(0);
    const r = await run(node24, ["bundle.mjs"]);
    expect(r.stderr).not.toMatch(/Dynamic require/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("started: TRANSPORT");
  });
});

/** Every form of each secret (and of `user:secret` as HTTP Basic sends it) found in `text`. */
function leaks(text: string, secrets: readonly string[], users: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    const forms = [...encodedForms(secret), ...users.map((u) => Buffer.from(`${u}:${secret}`).toString("base64"))];
    for (const form of forms) if (form.length >= 6 && text.includes(form)) found.push(form === secret ? "the secret as written" : `an encoded form (${form.length} chars)`);
  }
  return found;
}

/** `vmshift target serve <target>` from this checkout; resolves once ready, with the credentials it wrote. */
async function serveTarget(target: string): Promise<{ config: string; secrets: string[]; users: string[]; stop(): Promise<void> }> {
  const config = join(work, `${target}.yaml`);
  const child = spawn(node24, [join(ROOT, "packages", "cli", "src", "bin.ts"), "target", "serve", target, "--config-out", config], {
    env: { ...process.env, VMSHIFT_CONFORMANCE_TARGETS: join(ROOT, "adapters-conformance", "targets", "index.ts") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => ((out += d.toString()), /^ready /m.test(out) && resolve()));
    void closed.then(() => reject(new Error(`target serve ${target} ended before it was ready`)));
  });
  const stop = async () => (child.kill("SIGTERM"), await closed);
  try {
    const text = readFileSync(config, "utf8");
    // Files the profile refers to, except certificate authorities (public: a TLS client may print them).
    const referenced = [...text.matchAll(/(\w+):\s+(?:file: )?(\/\S+)/g)].filter((m) => !/ca$/i.test(m[1]!));
    const files = referenced.map((m) => readFileSync(m[2]!, "utf8"));
    // The credentials: secret files as written, and a kubeconfig's bearer token.
    const secrets = files.flatMap((f) => [...f.matchAll(/token: (\S+)/g)].map((m) => m[1]!).concat(/^apiVersion/m.test(f) ? [] : [f.trim()]));
    return { config, secrets: secrets.filter((x) => x.length >= 6), users: ["admin"], stop };
  } catch (error) {
    await stop(); // never leave the server behind
    throw error;
  }
}

let vmshift: string;

describe("the CLI installed globally", () => {
  let prefix: string;
  beforeAll(async () => {
    prefix = join(work, "global");
    await npm(["install", "--global", "--prefix", prefix, "@vmshift/cli"], work);
    vmshift = join(prefix, "bin", "vmshift");
  }, 600_000);
  const cli = (args: string[], node = node24) => run(node, [vmshift, ...args], { cwd: work, env: { HOME: work, XDG_CONFIG_HOME: join(work, "config") } });

  it("vmshift --version prints the package's version", async () => {
    const r = await cli(["--version"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(packed.find((p) => p.name === "@vmshift/cli")!.version);
  });

  it("vmshift demo --json ends with a completed migration", async () => {
    const r = await cli(["demo", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { event: string; phase: string };
    expect(last).toMatchObject({ event: "result", phase: "completed" });
  });

  it("vmshift vms lists the built-in simulator's VMs", async () => {
    const r = await cli(["vms"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/web-01/);
  });

  it("the global install carries no test infrastructure (nock, the conformance suite)", async () => {
    const tree = (await run("npm", ["ls", "--global", "--prefix", prefix, "--all", "--parseable"], { cwd: work })).stdout;
    expect(tree).toMatch(/@vmshift\/core/);
    expect(tree).not.toMatch(/[/\\]nock([/\\]|$)/m);
    expect(tree).not.toMatch(/@vmshift[/\\]conformance/);
  });

  it("vmshift conformance says how to add the suite when it is not installed", async () => {
    const r = await cli(["conformance", "--target", "simulator"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/npm i -g @vmshift\/conformance/);
  });

  it("finds a planted credential in every form it checks (the leak check below can fail)", () => {
    const secret = "pl4nted'se\"cret";
    for (const form of [secret, JSON.stringify(secret), encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(`admin:${secret}`).toString("base64")]) {
      expect(leaks(`some output ${form} more`, [secret], ["admin"]), form).not.toEqual([]);
    }
    expect(leaks("nothing here", [secret], ["admin"])).toEqual([]);
  });

  it.each(["simulator", "kubevirt-env", "nutanix-server"])(
    "the shipped CLI under DEBUG=*, NODE_DEBUG and --verbose prints no form of the %s credentials",
    { timeout: 300_000 },
    async (target) => {
      const served = await serveTarget(target);
      try {
        const env = { HOME: work, XDG_CONFIG_HOME: join(work, "config"), DEBUG: "*", NODE_DEBUG: "http,https,net,tls,fetch,undici" };
        const config = ["--config", served.config, "--verbose"];
        const outputs: string[] = [];
        for (const args of [["vms"], ["vms", "--json"], ["hosts", "--json"]]) {
          const r = await run(node24, [vmshift, ...args, ...config], { cwd: work, env });
          expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
          outputs.push(r.stdout, r.stderr);
        }
        const firstVm = (JSON.parse(outputs[2]!.trim().split("\n")[0]!) as { id: string }).id;
        const planned = await run(node24, [vmshift, "plan", firstVm, "--any-host", ...config], { cwd: work, env });
        outputs.push(planned.stdout, planned.stderr);
        if (target === "simulator") {
          const moved = await run(node24, [vmshift, "migrate", "web-01", "--to", "host-2", "--json", ...config], { cwd: work, env });
          expect(moved.code, moved.stderr).toBe(0);
          outputs.push(moved.stdout, moved.stderr);
        }
        expect(outputs.join("").length).toBeGreaterThan(200); // the debug switches did produce output to search
        expect(leaks(outputs.join("\n"), served.secrets, served.users)).toEqual([]);
      } finally {
        await served.stop();
      }
    },
  );

  it("on a Node.js older than 22.12 the CLI and the libraries say what they need in one line", async () => {
    if (majorOf(nodeOld) >= 22) return; // the machine's own Node is current: nothing older to try
    const r = await cli(["--version"], nodeOld);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^vmshift needs Node\.js >= 22\.12, this is v\d+\.\d+\.\d+: install a current Node\.js/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const lib = await run(nodeOld, ["--input-type=module", "-e", 'import("@vmshift/simulator").catch((e) => { console.error(e.message); process.exitCode = 1; })']);
    expect(lib.code).toBe(1);
    expect(lib.stderr.trim()).toMatch(/^vmshift needs Node\.js >= 22\.12, this is v\d+/);
  });
});
