/** Reads a fixture object (`test/fixtures/<scenario>/<file>.yaml`). */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The parsed object; `T` is trusted (fixtures are transcribed KubeVirt objects). */
export function loadFixture<T>(scenario: string, file: string): T {
  return parse(readFileSync(new URL(`./fixtures/${scenario}/${file}`, import.meta.url), "utf8")) as T;
}
