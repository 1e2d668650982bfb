/**
 * `vmshift conformance --target <t>` or `--adapter <module>`: runs the suite and prints the report.
 * `--suite move --from <a> --to <b>` runs the move suite (real moves between two move-capable
 * targets) instead.
 */
import { type Command, type CommandContext, type DescribedOptionTable, type Flags, UsageError, flagNumber, flagString } from "../command.ts";
import { type ConformanceTarget, type ReportFormat, adapterTarget, availableTargets, loadConformance, loadMoveSuite } from "../conformance-loader.ts";
import { EXIT, type ExitCode } from "../io.ts";

export const conformanceCommand: Command = {
  name: "conformance",
  summary: "run the conformance suite against a target (or your adapter module) and print the report",
  usage: "conformance (--target <name> | --adapter <module>) [options]",
  options: {
    target: { type: "string", value: "name", description: "the conformance target to run against (--list shows them)" },
    adapter: {
      type: "string",
      value: "module",
      description: "run against the target this module's default export creates: a function given the suite's helpers (e.g. simulatorTargetFor) that returns a target",
    },
    targets: { type: "string", multiple: true, value: "module", description: "also load the targets this module exports (repeatable; adds to $VMSHIFT_CONFORMANCE_TARGETS)" },
    format: { type: "string", value: "json|markdown|junit", description: "report format (default: markdown; json with --json)" },
    only: { type: "string", multiple: true, value: "scenario-prefix", description: "run only the scenarios whose id starts with this (repeatable)" },
    list: { type: "boolean", description: "list the targets and exit" },
    suite: { type: "string", value: "move", description: "run another suite: move (real moves --from one target --to another; --list shows the move-capable targets)" },
    from: { type: "string", value: "target", description: "--suite move: the move source target (e.g. libvirt-local)" },
    to: { type: "string", value: "target", description: "--suite move: the move target (e.g. libvirt-local, kubevirt-env)" },
    "disk-bytes": { type: "string", value: "bytes", description: "--suite move: size of the moved disk (default 8 MiB)" },
  } satisfies DescribedOptionTable,
  async run({ io, flags, json }) {
    const name = flagString(flags, "target");
    const adapterModule = flagString(flags, "adapter");
    if (name && adapterModule) throw new UsageError("--target and --adapter are exclusive: --adapter runs the target its module creates");
    const format = (flagString(flags, "format") ?? (json ? "json" : "markdown")) as ReportFormat;
    if (!["json", "markdown", "junit"].includes(format)) throw new UsageError(`--format must be json, markdown or junit, got ${format}`);
    const suiteName = flagString(flags, "suite");
    if (suiteName !== undefined) return runMoveSuiteCommand({ io, flags, json }, suiteName, format);
    if (flagString(flags, "from") !== undefined || flagString(flags, "to") !== undefined) throw new UsageError("--from and --to belong to --suite move");
    const { formatReport, runConformance } = await loadConformance();
    let target: ConformanceTarget | undefined;
    if (adapterModule) {
      // The adapter's module alone: target modules of the environment are not loaded for it.
      target = await adapterTarget(io, adapterModule);
      if (flags["list"]) {
        io.stdout.write(`${target.name.padEnd(22)} ${target.adapter.padEnd(10)} ${target.description}\n`);
        return EXIT.ok;
      }
    } else {
      const { all: TARGETS, find: findTarget } = await availableTargets(io, (flags["targets"] as string[] | undefined) ?? []);
      if (flags["list"]) {
        for (const t of TARGETS) io.stdout.write(`${t.name.padEnd(22)} ${t.adapter.padEnd(10)} ${t.description}\n`);
        return EXIT.ok;
      }
      if (!name) throw new UsageError(`--target or --adapter is required (targets: ${TARGETS.map((t) => t.name).join(", ")})`);
      target = findTarget(name);
      if (!target) throw new UsageError(`unknown target ${name} (one of: ${TARGETS.map((t) => t.name).join(", ")})`);
    }
    if (target.budget?.budgetEnforced === false) io.stderr.write(`request budget not enforced on ${target.name}: ${target.budget.todo ?? "no reason given"}\n`);
    const only = (flags["only"] as string[] | undefined) ?? [];
    const report = await runConformance(target, {
      only,
      onResult: (r) => {
        io.stderr.write(`${r.status.padEnd(7)} ${r.id}${r.reason ? ` — ${r.reason}` : ""}\n`);
        for (const note of r.notes ?? []) io.stderr.write(`        note: ${note}\n`);
      },
    });
    io.stdout.write(`${formatReport(report, format)}\n`);
    return report.summary.failed > 0 ? EXIT.conformanceFailed : EXIT.ok;
  },
};

/** `--suite move --from <a> --to <b>`: the move suite for one pair of move-capable targets. */
async function runMoveSuiteCommand({ io, flags }: Pick<CommandContext, "io" | "flags" | "json">, suiteName: string, format: ReportFormat): Promise<ExitCode> {
  if (suiteName !== "move") throw new UsageError(`--suite ${suiteName}: the only other suite is move`);
  if (flagString(flags, "target") !== undefined || flagString(flags, "adapter") !== undefined) throw new UsageError("--suite move takes --from <target> --to <target>, not --target or --adapter");
  const [{ formatReport }, suite] = await Promise.all([loadConformance(), loadMoveSuite(io, moduleFlags(flags))]);
  const sides = suite.sides();
  const names = (kind: "source" | "target") => sides.filter((s) => s[kind]).map((s) => s.name).join(", ");
  if (flags["list"]) {
    for (const s of sides) io.stdout.write(`${s.name.padEnd(22)} ${[s.source ? "source" : "", s.target ? "target" : ""].filter(Boolean).join(" + ")}\n`);
    return EXIT.ok;
  }
  const from = flagString(flags, "from");
  const to = flagString(flags, "to");
  if (from === undefined || to === undefined) throw new UsageError(`--suite move needs --from <source> --to <target> (sources: ${names("source")}; targets: ${names("target")})`);
  if (!sides.some((s) => s.name === from && s.source)) throw new UsageError(`--from ${from} is no move source (sources: ${names("source")})`);
  if (!sides.some((s) => s.name === to && s.target)) throw new UsageError(`--to ${to} is no move target (targets: ${names("target")})`);
  const diskBytes = flagNumber(flags, "disk-bytes");
  const only = (flags["only"] as string[] | undefined) ?? [];
  const report = await suite.run(from, to, {
    only,
    ...(diskBytes === undefined ? {} : { diskBytes }),
    onResult: (r) => {
      io.stderr.write(`${r.status.padEnd(7)} ${r.id}${r.reason ? ` — ${r.reason}` : ""}\n`);
      for (const note of r.notes ?? []) io.stderr.write(`        note: ${note}\n`);
    },
  });
  io.stdout.write(`${formatReport(report, format)}\n`);
  return report.summary.failed > 0 ? EXIT.conformanceFailed : EXIT.ok;
}

function moduleFlags(flags: Flags): readonly string[] {
  return (flags["targets"] as string[] | undefined) ?? [];
}
