/** Test helper: tree-sitter-powershell through web-tree-sitter and the package's shipped .wasm (no native build). */
import { createRequire } from "node:module";
import { Language, type Node, Parser } from "web-tree-sitter";

let parser: Parser | undefined;

/** A parser for PowerShell, loaded once per process. */
export async function powershellParser(): Promise<Parser> {
  if (parser) return parser;
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve("tree-sitter-powershell/tree-sitter-powershell.wasm");
  const language = await Language.load(wasm);
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Every node of a type, depth first. */
export function nodesOfType(root: Node, type: string): Node[] {
  const out: Node[] = [];
  const walk = (node: Node) => {
    if (node.type === type) out.push(node);
    for (const child of node.children) if (child) walk(child);
  };
  walk(root);
  return out;
}
