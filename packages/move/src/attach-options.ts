/**
 * The request options a move keeps in its record (journal.ts `RecordedOptions`), and how an attach
 * uses them: a resumed move converts, removes the source, waits for its cutover time and shuts the
 * source down as the move was started, whatever the attaching request leaves out. A conversion,
 * source removal or cutover time the attaching request sets to something else is
 * `INVALID_ARGUMENT` naming both values, before anything is changed; a shutdown timeout or
 * restart-on-failure it sets is used. A record without them (written before they were kept) leaves the request
 * as it is.
 */
import { VmshiftError } from "@vmshift/core";
import { type ConvertOptions, type GuestConverter, conversionPlan, convertMode } from "./convert.ts";
import type { MoveRecord, RecordedConversion, RecordedOptions } from "./journal.ts";
import type { MappedDefinition } from "./mapping.ts";
import type { MoveSource, MoveTarget } from "./spi.ts";

/** The options {@link recordedOptions} keeps and {@link withRecordedOptions} applies. */
export interface RecordableRequest {
  readonly from: MoveSource;
  readonly to: MoveTarget;
  readonly convert?: ConvertOptions;
  readonly removeSource?: boolean;
  readonly shutdownTimeoutMs?: number;
  readonly restartSourceOnFailure?: boolean;
  readonly cutoverAt?: Date | string;
}

/**
 * The conversion a new move decides on when it reserves `mapped` (as convert.ts `withConversion`
 * does): whether it converts, and whether the target is reserved on virtio for it.
 */
export function recordedConversion(request: RecordableRequest, mapped: MappedDefinition, localConverter: GuestConverter): RecordedConversion {
  const mode = convertMode(request.convert);
  const vm = { ...mapped, nics: [] };
  const converts = conversionPlan(request, vm).convert;
  const converter = request.to.converter ?? localConverter;
  return { mode, converts, virtio: converts && (converter.givesVirtio ? converter.givesVirtio(vm) : true) };
}

/** What a new move records of `request`. */
export function recordedOptions(request: RecordableRequest, convert: RecordedConversion | undefined): RecordedOptions {
  return {
    ...(convert ? { convert } : {}),
    removeSource: request.removeSource === true,
    ...(request.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: request.shutdownTimeoutMs }),
    ...(request.restartSourceOnFailure === undefined ? {} : { restartSourceOnFailure: request.restartSourceOnFailure }),
    ...(request.cutoverAt === undefined ? {} : { cutoverAt: isoTime(request.cutoverAt) }),
  };
}

/**
 * `request` with the options `record` kept: each recorded option replaces an absent one;
 * `INVALID_ARGUMENT` naming both values when the request sets one to something else. The recorded
 * conversion becomes `convert: always` when the move converts and `never` when it does not, so a
 * resumed move converts exactly as decided when the target was reserved. A record without options:
 * `request` as it is.
 */
export function withRecordedOptions<R extends RecordableRequest>(request: R, record: MoveRecord): R {
  const o = record.options;
  if (!o) return request;
  const clash = (what: string, recorded: unknown, asked: unknown) =>
    new VmshiftError("INVALID_ARGUMENT", `move ${record.moveId} was started with ${what} ${String(recorded)}, and this attach asks ${what} ${String(asked)}: an attach continues the move as it was started (leave ${what} out)`, {
      adapter: "move", operation: "move.attach", subject: record.moveId, details: { option: what, recorded, asked },
    });
  // Conversion: the decision made at reservation stands; `auto` asks for that decision, `never` /
  // `always` clash only with the opposite decision (a libvirt move started `auto` never converts).
  const askedMode = request.convert?.mode;
  if (o.convert && ((askedMode === "never" && o.convert.converts) || (askedMode === "always" && !o.convert.converts))) throw clash("convert", `${o.convert.mode} (${o.convert.converts ? "converting" : "not converting"} the guest)`, askedMode);
  if (o.removeSource !== undefined && request.removeSource !== undefined && request.removeSource !== o.removeSource) throw clash("removeSource", o.removeSource, request.removeSource);
  if (o.cutoverAt !== undefined && request.cutoverAt !== undefined && Date.parse(isoTime(request.cutoverAt)) !== Date.parse(o.cutoverAt)) throw clash("cutoverAt", o.cutoverAt, isoTime(request.cutoverAt));
  // How long to wait for the source's shutdown and whether to restart it on failure are the
  // attaching operator's to choose (e.g. a shorter shutdown after a crash): recorded values only
  // fill what the request leaves out.
  return {
    ...request,
    ...(o.convert ? { convert: { mode: o.convert.converts ? "always" : "never" } } : {}),
    ...(o.removeSource === undefined ? {} : { removeSource: o.removeSource }),
    ...(o.shutdownTimeoutMs === undefined || request.shutdownTimeoutMs !== undefined ? {} : { shutdownTimeoutMs: o.shutdownTimeoutMs }),
    ...(o.restartSourceOnFailure === undefined || request.restartSourceOnFailure !== undefined ? {} : { restartSourceOnFailure: o.restartSourceOnFailure }),
    ...(o.cutoverAt === undefined ? {} : { cutoverAt: o.cutoverAt }),
  };
}

function isoTime(value: Date | string): string {
  const at = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(at) ? new Date(at).toISOString() : String(value);
}
