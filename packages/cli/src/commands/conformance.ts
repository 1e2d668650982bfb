/** `vmshift conformance --target <t>` or `--adapter <module>`: runs the suite and prints the report. */
import { type Command, type DescribedOptionTable, UsageError, flagString } from "../command.ts";
import { type ConformanceTarget, type ReportFormat, adapterTarget, availableTargets, loadConformance } from "../conformance-loader.ts";
import { EXIT } from "../io.ts";

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
  } satisfies DescribedOptionTable,
  async run({ io, flags, json }) {
    const name = flagString(flags, "target");
    const adapterModule = flagString(flags, "adapter");
    if (name && adapterModule) throw new UsageError("--target and --adapter are exclusive: --adapter runs the target its module creates");
    const format = (flagString(flags, "format") ?? (json ? "json" : "markdown")) as ReportFormat;
    if (!["json", "markdown", "junit"].includes(format)) throw new UsageError(`--format must be json, markdown or junit, got ${format}`);
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
