/** The usual assembly: node-powershell transport → runner. */
import { type RunnerOptions, type PowerShellRunner, createRunner } from "./runner.ts";
import { NodePowerShellTransport, type NodePowerShellTransportOptions } from "./transport.ts";

/**
 * A runner over node-powershell: local `pwsh` by default, `executable: "powershell"` for Windows
 * PowerShell 5.1, `remote` for PowerShell remoting (WinRM `computerName` or SSH `hostName`). The
 * remoting password is also registered as a secret to mask in error messages.
 */
export function createNodePowerShellRunner(options: NodePowerShellTransportOptions & RunnerOptions = {}): PowerShellRunner {
  const password = options.remote && "computerName" in options.remote ? options.remote.password : undefined;
  const secrets = [...(options.secrets ?? []), ...(password ? [password] : [])];
  return createRunner(new NodePowerShellTransport(options), { secrets });
}
