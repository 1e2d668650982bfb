/**
 * A kubeconfig exec credential plugin for tests: prints an ExecCredential with the token read
 * from the file named by $KUBEVIRT_ENV_TOKEN_FILE (client.authentication.k8s.io/v1).
 */
import { readFileSync } from "node:fs";

const token = readFileSync(process.env["KUBEVIRT_ENV_TOKEN_FILE"] ?? "", "utf8").trim();
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token } }));
