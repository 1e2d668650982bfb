/** `vmshift completion bash|zsh`: prints a shell completion script. */
import { type Command, UsageError } from "../command.ts";
import { EXIT } from "../io.ts";

/** Builds the completion command over the list of command names. */
export function completionCommand(names: () => readonly string[]): Command {
  return {
    name: "completion",
    summary: "print a shell completion script (bash or zsh)",
    usage: "completion bash|zsh   (e.g. source <(vmshift completion bash))",
    options: {},
    positionals: { min: 1, max: 1 },
    async run({ io, positionals }) {
      const words = names().join(" ");
      const shell = positionals[0];
      if (shell === "bash") {
        io.stdout.write(`_vmshift() {\n  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${words}" -- "\${COMP_WORDS[1]}")); fi\n}\ncomplete -F _vmshift vmshift\n`);
      } else if (shell === "zsh") {
        io.stdout.write(`#compdef vmshift\n_arguments '1:command:(${words})'\n`);
      } else {
        throw new UsageError(`unknown shell ${shell}; use bash or zsh`);
      }
      return EXIT.ok;
    },
  };
}
