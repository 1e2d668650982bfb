/**
 * `pnpm bench`: runs every benchmark in this folder, one after another, each in its own Node
 * process, then prints one Markdown table of every figure with the machine and Node it came from.
 * `pnpm bench -- <name>…` runs only those.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, format, machine } from "./lib.ts";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => a !== "--");
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "lib.ts"].includes(f) && !f.endsWith(".test.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const failed: string[] = [];
for (const file of benches) {
  console.error(`== ${file}`);
  const run = spawnSync(process.execPath, ["--expose-gc", join(here, file)], { stdio: "inherit", timeout: 20 * 60_000 });
  if (run.status !== 0) failed.push(`${file} (exit ${run.status ?? run.signal})`);
}

const rows: string[] = [];
for (const file of readdirSync(join(here, "results")).filter((f) => f.endsWith(".json")).sort()) {
  const result = JSON.parse(readFileSync(join(here, "results", file), "utf8")) as { bench: string; rows: BenchRow[] };
  if (wanted.length > 0 && !wanted.some((w) => result.bench.startsWith(w))) continue;
  for (const r of result.rows) {
    const peer = r.peer ? `${r.peer.name}: ${format(r.peer.value)} ${r.unit}` : "";
    const ratio = r.peer ? `${(r.value / r.peer.value).toFixed(2)}×` : "";
    rows.push(`| ${result.bench} | ${r.metric} | ${format(r.value)} ${r.unit} | ${peer} | ${ratio} | ${r.note ?? ""} |`);
  }
}
const m = machine();
console.log(`\nMeasured on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}, ${m.platform}.\n`);
console.log("| bench | metric | vmshift | peer | ratio | note |\n| --- | --- | ---: | ---: | ---: | --- |");
console.log(rows.join("\n"));
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exitCode = 1;
}
