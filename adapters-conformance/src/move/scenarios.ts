/**
 * The move suite's scenarios. Each runs real moves between one source side and one target side
 * and checks the outcome **on the platforms** (disk hashes, power states, what exists on the
 * target), so a mover that reports success while the bytes differ fails.
 */
import type { MoveRequest, MoveResult, MoveSource, MoveTask, Mover, MoverOptions } from "@vmshift/move";
import { expect } from "../scenario.ts";
import type { SourceSession, SourceVm, TargetOptions, TargetSession } from "./side.ts";

/** What a move scenario runs with. */
export interface MoveScenarioContext {
  readonly source: SourceSession;
  readonly target: TargetSession;
  /** Creates a mover (the suite's default: `createMover`; tests wrap it). */
  readonly createMover: (options?: MoverOptions) => Mover;
  /** Size of the source disk, bytes. */
  readonly diskBytes: number;
  /** Adds a line to the scenario's result. */
  note(text: string): void;
  /**
   * Runs a move in another process and kills it (SIGKILL) once `phase` is reached; resolves with
   * the move id it printed. Absent: the attach scenario is skipped.
   */
  readonly killMidMove?: (request: { readonly vm: SourceVm; readonly requestId: string; readonly phase: string }) => Promise<string>;
}

/** One move scenario. */
export interface MoveScenario {
  readonly id: string;
  readonly title: string;
  /** Why it cannot run on this pair, or undefined. */
  skip?(context: MoveScenarioContext): string | undefined;
  run(context: MoveScenarioContext): Promise<void>;
}

const SHUTDOWN_MS = 500;
const WAIT_MS = 120_000;

/** A request for `vm` with every storage and network mapped (overridable). */
function request(context: MoveScenarioContext, vm: SourceVm, extra: Partial<MoveRequest> & { readonly targetOptions?: TargetOptions } = {}): MoveRequest {
  const { targetOptions, ...rest } = extra;
  return {
    from: context.source.source,
    to: context.target.target(targetOptions),
    vmId: vm.vmId,
    storageMap: context.target.storageMap(vm.storages),
    networkMap: context.target.networkMap(vm.networks),
    shutdownTimeoutMs: SHUTDOWN_MS,
    // The suite's disks hold a marker, not an operating system: virt-v2v would find no root device
    // (guest conversion is tested by its own lane and tests, not by this suite).
    convert: { mode: "never" },
    ...rest,
  };
}

async function finish(task: MoveTask): Promise<MoveResult> {
  return task.wait({ maxWaitMs: WAIT_MS });
}

const keysOf = (h: Readonly<Record<string, string>>) => Object.keys(h).sort();

/** The target holds exactly the source's bytes for every disk; fails naming the first that differs. */
async function expectSameDisks(context: MoveScenarioContext, vm: SourceVm, expected: Readonly<Record<string, string>>): Promise<void> {
  const keys = keysOf(expected);
  expect(keys.length > 0, "the source VM has no copied disk to compare");
  const moved = await context.target.diskHashes(vm.name, keys);
  for (const k of keys) {
    expect(moved[k] !== undefined, `disk ${k} is not on the target`);
    expect(moved[k] === expected[k], `disk ${k} differs on the target: sha256 ${moved[k]} there, ${expected[k]} at the source`);
  }
}

async function expectNothingOnTarget(context: MoveScenarioContext, vm: SourceVm, when: string): Promise<void> {
  const left = await context.target.leftovers(vm.name);
  expect(left.length === 0, `${when}: the target still holds ${left.join(", ")}`);
}

async function expectSourceRunning(context: MoveScenarioContext, vm: SourceVm, when: string): Promise<void> {
  const p = await context.source.powerState(vm);
  expect(p === "running", `${when}: the source VM is ${p}, not running`);
}

/** The source with a hook after a warm pass opened its export (the write-during-copy injector). */
function afterPassOpened(source: MoveSource, hook: (pass: number) => Promise<void>): MoveSource {
  const warm = source.warm;
  if (!warm) return source;
  return {
    ...source,
    readDefinition: source.readDefinition.bind(source),
    openDisk: source.openDisk.bind(source),
    stop: source.stop.bind(source),
    start: source.start.bind(source),
    powerState: source.powerState.bind(source),
    warm: {
      check: warm.check.bind(warm),
      finish: warm.finish.bind(warm),
      async beginPass(definition, disks, options, ctx) {
        const pass = await warm.beginPass(definition, disks, options, ctx);
        if (!options.final) await hook(options.pass);
        return pass;
      },
    },
  };
}

/** Every scenario, in order. */
export const MOVE_SCENARIOS: readonly MoveScenario[] = [
  {
    id: "move.cold",
    title: "cold move: byte-identical disks (hash), the target runs, the source is kept stopped",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const before = await context.source.diskHashes(vm);
      const result = await finish(context.createMover().moveVm(request(context, vm)));
      expect(result.outcome === "completed", `the move ended ${result.outcome}: ${result.error?.message ?? ""}`);
      expect(result.vmLocation?.side === "target", `the result places the VM on the ${result.vmLocation?.side ?? "?"} side`);
      await expectSameDisks(context, vm, before);
      const target = await context.target.powerState(vm.name);
      expect(target === "running", `the moved VM is ${target} on the target, not running`);
      const source = await context.source.powerState(vm);
      expect(source === "stopped", `the source VM is ${source}, not kept stopped`);
      const after = await context.source.diskHashes(vm);
      expect(keysOf(after).every((k) => after[k] === before[k]), "the source's disks changed during a cold move");
      context.note(`${keysOf(before).length} disk(s), ${context.diskBytes} bytes; downtime ${result.downtimeMs ?? "?"} ms`);
    },
  },
  {
    id: "move.warm",
    title: "warm move: writes made during the copy are on the target; the target runs, the source is kept stopped",
    skip: (context) => context.target.warmUnsupported ?? (context.source.writeWhileRunning ? undefined : (context.source.warmUnsupported ?? "the source side cannot write while the VM runs")),
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const before = await context.source.diskHashes(vm);
      const writes: number[] = [];
      const from = afterPassOpened(context.source.source, async (pass) => {
        if (pass > 2) return;
        // A new pattern at a new offset once each pass's export is open: pass 1 cannot see it, a later pass must carry it.
        await context.source.writeWhileRunning!(vm, pass * 1024 * 1024, 65536, 0x40 + pass);
        writes.push(pass);
      });
      const result = await finish(context.createMover().moveVm({ ...request(context, vm), from, mode: "warm", warm: { maxDeltaPasses: 2, convergedBytes: 0, passIntervalMs: 200 } }));
      expect(result.outcome === "completed", `the warm move ended ${result.outcome}: ${result.error?.message ?? ""}`);
      expect(writes.length > 0, "no write was made during the copy");
      const after = await context.source.diskHashes(vm);
      expect(keysOf(after).some((k) => after[k] !== before[k]), "the writes during the copy did not change the source's disk");
      await expectSameDisks(context, vm, after);
      const passes = result.passes ?? [];
      expect(passes.length >= 2, `a warm move with writes during the copy made ${passes.length} pass(es)`);
      expect((await context.target.powerState(vm.name)) === "running", "the moved VM does not run on the target");
      expect((await context.source.powerState(vm)) === "stopped", "the source VM is not kept stopped");
      context.note(`${writes.length} write(s) during the copy; passes ${passes.map((p) => `${p.kind}:${p.bytes}`).join(", ")}; downtime ${result.downtimeMs ?? "?"} ms`);
    },
  },
  {
    id: "move.cancel-before-cutover",
    title: "cancel before cutover: the source untouched and running, nothing left on the target",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const before = await context.source.diskHashes(vm);
      const task = context.createMover().moveVm(request(context, vm));
      let cancelledIn: string | undefined;
      for await (const s of task.events()) {
        if (s.phase === "requested" && cancelledIn === undefined) {
          cancelledIn = s.phase;
          void task.cancel();
        }
      }
      const result = await finish(task);
      expect(cancelledIn !== undefined, "the move never reached `requested`");
      expect(result.outcome === "cancelled", `cancelled in ${cancelledIn}, the move ended ${result.outcome}: ${result.error?.message ?? ""}`);
      expect(result.vmLocation?.side === "source", "the result does not place the VM at the source");
      await expectSourceRunning(context, vm, "after the cancel");
      await expectNothingOnTarget(context, vm, "after the cancel");
      const after = await context.source.diskHashes(vm);
      expect(keysOf(after).every((k) => after[k] === before[k]), "the source's disks changed");
    },
  },
  {
    id: "move.target-start-failure",
    title: "the target refuses to start the VM: rolled back, the source running again, nothing left on the target",
    skip: (context) => context.target.failStartUnsupported,
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const result = await finish(context.createMover().moveVm(request(context, vm, { targetOptions: { failStartOf: vm.name } })));
      expect(result.outcome === "failed", `the move ended ${result.outcome}, not failed`);
      expect(result.error?.code !== "MIGRATION_PARTIAL", `the rollback was partial: ${result.error?.message ?? ""}`);
      expect(result.vmLocation?.side === "source" && result.vmLocation.powerState === "running", `the result places the VM ${JSON.stringify(result.vmLocation)}`);
      await expectSourceRunning(context, vm, "after the rollback");
      await expectNothingOnTarget(context, vm, "after the rollback");
      context.note(`error: ${result.error?.code}: ${result.error?.message.slice(0, 160)}`);
    },
  },
  {
    id: "move.unmapped-network",
    title: "an unmapped network: a preflight error naming it, nothing written on the target, the source running",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const network = vm.networks[0];
      expect(network !== undefined, "the source VM has no NIC: the scenario needs one");
      const result = await finish(context.createMover().moveVm(request(context, vm, { networkMap: {} })));
      expect(result.outcome === "failed", `the move ended ${result.outcome}, not failed`);
      expect(result.error?.code === "INCOMPATIBLE", `error ${result.error?.code}, not INCOMPATIBLE`);
      expect(result.error?.message.includes(`network ${network}`) === true, `the error does not name network ${network}: ${result.error?.message}`);
      await expectNothingOnTarget(context, vm, "after the preflight error");
      await expectSourceRunning(context, vm, "after the preflight error");
    },
  },
  {
    id: "move.remove-source",
    title: "--remove-source: a cold move that, once the target runs the VM, removes it from the source — read back as gone there; the moved disks byte-identical",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const before = await context.source.diskHashes(vm);
      const result = await finish(context.createMover().moveVm(request(context, vm, { removeSource: true })));
      expect(result.outcome === "completed", `the move ended ${result.outcome}: ${result.error?.message ?? ""}`);
      expect(result.sourceRemoved === true, `the result says the source was not removed: ${(result.warnings ?? []).join("; ")}`);
      await expectSameDisks(context, vm, before);
      const target = await context.target.powerState(vm.name);
      expect(target === "running", `the moved VM is ${target} on the target, not running`);
      const source = await context.source.powerState(vm);
      expect(source === "missing", `the source platform still has the VM (${source}) after its removal`);
      context.note(`removed: ${result.sourceRemovedWhat ?? "?"}`.slice(0, 240));
    },
  },
  {
    id: "move.attach-after-restart",
    title: "attach after a restart: the move's process killed mid-transfer; while its lease lasts an attach is refused (CONFLICT naming it) and changes nothing; then a new one attaches, says where it stands and ends it cleanly",
    skip: (context) =>
      !("journal" in context.target.target()) || (context.target.target() as { journal?: unknown }).journal === undefined
        ? `the ${context.target.target().platform} move target keeps no journal of its moves: a new process cannot find one`
        : context.killMidMove ? undefined : "this run cannot start a move in a process it can kill (both sides need a CLI profile)",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const requestId = `conformance-attach-${Date.now()}`;
      const moveId = await context.killMidMove!({ vm, requestId, phase: "transferring" });
      expect(moveId === `move-${requestId}`, `the killed move printed id ${moveId}`);
      const killedAt = Date.now();
      // The killed process's lease (kill-mid-move.ts: 5 s after its last heartbeat) still holds: refused, nothing changed.
      const refused = await context.createMover().attach(moveId, request(context, vm)).then(
        (task) => ({ task, error: undefined }),
        (error: unknown) => ({ task: undefined, error: error as Error & { code?: string; details?: Readonly<Record<string, unknown>> } }),
      );
      if (refused.task) expect(Date.now() - killedAt >= 4000, "an attach right after the kill was not refused: the killed process's lease had not ended");
      else {
        expect(refused.error.code === "CONFLICT", `the attach during the killed process's lease failed with ${refused.error.code}, not CONFLICT: ${refused.error.message}`);
        expect(/is still run by .+ pid \d+ \(owner [0-9a-f-]+\).* lease ends at /.test(refused.error.message), `the refusal does not name the owner and its lease's end: ${refused.error.message}`);
        const endsAt = Date.parse(String(refused.error.details?.["leaseEndsAt"]));
        expect(Number.isFinite(endsAt), "the refusal carries no leaseEndsAt");
        context.note(`refused while the lease lasted (${Math.round((endsAt - Date.now()) / 100) / 10} s left)`);
        await new Promise((r) => setTimeout(r, Math.max(0, endsAt - Date.now()) + 250));
      }
      const task = refused.task ?? (await context.createMover().attach(moveId, request(context, vm)));
      const result = await finish(task);
      expect(result.attach !== undefined, "the attached move's result does not say what attach decided");
      expect(result.outcome === "completed" || result.outcome === "failed", `attached move ended ${result.outcome}`);
      expect((result.outcome === "completed") === (result.attach!.action !== "rollback"), `attach decided ${result.attach!.action} but the move ended ${result.outcome}`);
      if (result.outcome === "completed") {
        await expectSameDisks(context, vm, await context.source.diskHashes(vm));
        expect((await context.target.powerState(vm.name)) === "running", "the resumed move's VM does not run on the target");
      } else {
        await expectNothingOnTarget(context, vm, "after the rollback of the interrupted move");
        await expectSourceRunning(context, vm, "after the rollback of the interrupted move");
      }
      context.note(`attached to ${moveId}: ${result.attach!.action} (${result.attach!.why}) → ${result.outcome}${result.error ? ` (${result.error.message.slice(0, 160)})` : ""}`);
    },
  },
  {
    id: "move.idempotent-retry",
    title: "a retried start with the same requestId is the same move: one VM and one set of disks on the target",
    async run(context) {
      const vm = await context.source.createVm({ diskBytes: context.diskBytes });
      const before = await context.source.diskHashes(vm);
      const requestId = `conformance-retry-${Date.now()}`;
      const mover = context.createMover();
      const first = mover.moveVm(request(context, vm, { requestId }));
      const again = mover.moveVm(request(context, vm, { requestId }));
      expect(again.id === first.id, `the retry started another move (${again.id}, first ${first.id})`);
      const result = await finish(first);
      expect(result.outcome === "completed", `the move ended ${result.outcome}: ${result.error?.message ?? ""}`);
      const late = mover.moveVm(request(context, vm, { requestId }));
      expect(late.id === first.id, "a retry after the move ended started another one");
      expect((await late.wait({ maxWaitMs: 1000 })).outcome === "completed", "the late retry does not report the finished move");
      await expectSameDisks(context, vm, before);
      const left = await context.target.leftovers(vm.name);
      context.note(`on the target: ${left.join(", ")}`);
    },
  },
];
