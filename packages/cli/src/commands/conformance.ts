/** `vmshift conformance --target <t>`: runs the suite and prints the report. */
import type { ReportFormat } from "@vmshift/conformance";
import { type Command, type DescribedOptionTable, UsageError, flagString } from "../command.ts";
import { availableTargets, loadConformance } from "../conformance-loader.ts";
import { EXIT } from "../io.ts";

export const conformanceCommand: Command = {
  name: "conformance",
  summary: "run the conformance suite against a target and print the report",
  usage: "conformance --target <name> [options]",
  options: {
    target: { type: "string", value: "name", description: "the conformance target to run against (--list shows them)" },
    targets: { type: "string", multiple: true, value: "module", description: "also load the targets this module exports (repeatable; adds to $VMSHIFT_CONFORMANCE_TARGETS)" },
    format: { type: "string", value: "json|markdown|junit", description: "report format (default: markdown; json with --json)" },
    only: { type: "string", multiple: true, value: "scenario-prefix", description: "run only the scenarios whose id starts with this (repeatable)" },
    list: { type: "boolean", description: "list the targets and exit" },
  } satisfies DescribedOptionTable,
  async run({ io, flags, json }) {
    const { all: TARGETS, find: findTarget } = await availableTargets(io, (flags["targets"] as string[] | undefined) ?? []);
    const { formatReport, runConformance } = await loadConformance();
    if (flags["list"]) {
      for (const t of TARGETS) io.stdout.write(`${t.name.padEnd(22)} ${t.adapter.padEnd(10)} ${t.description}\n`);
      return EXIT.ok;
    }
    const name = flagString(flags, "target");
    if (!name) throw new UsageError(`--target is required (one of: ${TARGETS.map((t) => t.name).join(", ")})`);
    const target = findTarget(name);
    if (!target) throw new UsageError(`unknown target ${name} (one of: ${TARGETS.map((t) => t.name).join(", ")})`);
    const format = (flagString(flags, "format") ?? (json ? "json" : "markdown")) as ReportFormat;
    if (!["json", "markdown", "junit"].includes(format)) throw new UsageError(`--format must be json, markdown or junit, got ${format}`);
    const only = (flags["only"] as string[] | undefined) ?? [];
    const report = await runConformance(target, {
      only,
      onResult: (r) => io.stderr.write(`${r.status.padEnd(7)} ${r.id}${r.reason ? ` — ${r.reason}` : ""}\n`),
    });
    io.stdout.write(`${formatReport(report, format)}\n`);
    return report.summary.failed > 0 ? EXIT.conformanceFailed : EXIT.ok;
  },
};
