/**
 * YAML for the CLI's configuration: js-yaml (the parser @vmshift/kubevirt already ships) with the
 * YAML 1.2 core schema — strings, numbers, booleans, null; no timestamps, no merge keys, duplicate
 * keys refused. Chosen over the `yaml` package for what every command pays at start: `yaml` adds
 * 8–11 MiB of resident memory to a process, js-yaml next to nothing (measured with /usr/bin/time on
 * Node 24, importing each alone).
 */
import { CORE_SCHEMA, YAMLException, dump, load } from "js-yaml";

/**
 * Parses one YAML document. A syntax error throws an `Error` whose message says what is wrong and
 * where (line, column) without quoting the text around it: a configuration may hold values that
 * must not reach a terminal or a log.
 */
export function parseYaml(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) {
      const where = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : "";
      throw new Error(`${error.reason}${where}`);
    }
    throw error;
  }
}

/** Writes a value as a YAML document (block style, strings quoted only where YAML needs it). */
export function stringifyYaml(value: unknown): string {
  return dump(value, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true });
}
