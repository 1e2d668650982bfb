/** Reads a fixture object (`test/fixtures/<scenario>/<file>.yaml`). */
import { readFileSync } from "node:fs";
import { CORE_SCHEMA, load } from "js-yaml";

/** The parsed object (YAML 1.2 core schema: numbers, booleans and nulls typed); `T` is trusted (fixtures are transcribed KubeVirt objects). */
export function loadFixture<T>(scenario: string, file: string): T {
  return load(readFileSync(new URL(`./fixtures/${scenario}/${file}`, import.meta.url), "utf8"), { schema: CORE_SCHEMA }) as T;
}
