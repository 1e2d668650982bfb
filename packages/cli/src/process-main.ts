/** Wires the real process (argv, streams, environment, terminal, Ctrl-C) into {@link main}. */
import { createInterface } from "node:readline/promises";
import { type PromptOptions, exitWhenFlushed } from "./io.ts";
import { main } from "./main.ts";

// A reader that goes away (`vmshift vms | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  ...(process.stdin.isTTY
    ? {
        prompt: async (question: string, options: PromptOptions) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question, options);
          } finally {
            rl.close();
          }
        },
      }
    : {}),
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
});
await exitWhenFlushed(code);
