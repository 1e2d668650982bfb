/**
 * Test support: each HTTP/SOAP adapter wired to a local server with one of its TLS settings, and
 * answers that server can give (Kubernetes Status, Prism error bodies, vim25 SOAP). "Hostile"
 * answers echo the credentials the client sent, as a misbehaving proxy or server might.
 */
import { type Clock, type Logger, type VmshiftClient, createClient } from "@vmshift/core";
import { KubevirtAdapter } from "@vmshift/kubevirt";
import { createNutanixAdapter } from "@vmshift/nutanix";
import { createVsphereAdapter } from "@vmshift/vsphere";
import type { Answer, SeenRequest } from "./tls-server.ts";

/** How the client is told to trust the server. `thumbprint` exists for vSphere only. */
export type TlsMode = "default" | "ca" | "insecure" | "thumbprint";

/** Where and how to connect. */
export interface Endpoint {
  readonly origin: string;
  readonly tls: TlsMode;
  readonly certPem?: string;
  readonly thumbprint?: string;
  readonly logger?: Logger;
}

/** Credentials planted in the configurations; none may ever come back in an error or a log. */
export const SECRETS = {
  kubeToken: "kvtok-Otter7Maple9931Fjord2Q",
  nutanixPassword: "Nx-Quartz!Lantern-4471",
  nutanixApiKey: "nkey-7Qe2Rw9Ty4Ui8Op3As6Df",
  vspherePassword: "Vs-Cobalt#Heron-5583",
  hypervPassword: "Hv-Saffron%Glacier-2210",
} as const;

/** The user names that go with the passwords (not secret, but their Basic form is). */
export const USERS = { nutanix: "admin", vsphere: "administrator@vsphere.local" } as const;

/** Every form a secret can take on the wire (plain and inside HTTP Basic). */
export function secretForms(): string[] {
  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
  return [...Object.values(SECRETS), basic(USERS.nutanix, SECRETS.nutanixPassword), basic(USERS.vsphere, SECRETS.vspherePassword)];
}

function logging(endpoint: Endpoint): { logger?: Logger } {
  return endpoint.logger === undefined ? {} : { logger: endpoint.logger };
}

/** Real time, but every backoff sleep ends at once (retries without waiting). */
export const instantClock: Clock = { now: () => Date.now(), sleep: async () => {} };

/** A kubeconfig (JSON is valid YAML) for the server, with a bearer token. */
export function kubeconfigFor(endpoint: Endpoint): string {
  const cluster: Record<string, unknown> = { server: endpoint.origin };
  if (endpoint.tls === "ca" && endpoint.certPem) cluster["certificate-authority-data"] = Buffer.from(endpoint.certPem).toString("base64");
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster }],
    users: [{ name: "u", user: { token: SECRETS.kubeToken } }],
    contexts: [{ name: "c", context: { cluster: "local", user: "u" } }],
    "current-context": "c",
  });
}

/** The KubeVirt adapter through a kubeconfig; `insecure` uses the adapter's `insecureSkipTlsVerify`. */
export function kubevirtClient(endpoint: Endpoint): VmshiftClient {
  const adapter = new KubevirtAdapter({ connection: { kubeconfigYaml: kubeconfigFor(endpoint), ...(endpoint.tls === "insecure" ? { insecureSkipTlsVerify: true } : {}) } });
  return createClient(adapter, { clock: instantClock, ...logging(endpoint) });
}

/** The Nutanix adapter with Basic auth (or an API key), no retry delay. */
export function nutanixClient(endpoint: Endpoint, auth: "basic" | "apiKey" = "basic"): VmshiftClient {
  const adapter = createNutanixAdapter({
    baseUrl: endpoint.origin,
    auth: auth === "basic" ? { username: USERS.nutanix, password: SECRETS.nutanixPassword } : { apiKey: SECRETS.nutanixApiKey },
    retries: 1,
    retryDelayMs: 1,
    clock: instantClock,
    ...(endpoint.tls === "ca" && endpoint.certPem ? { ca: endpoint.certPem } : {}),
    ...(endpoint.tls === "insecure" ? { insecureSkipTlsVerify: true } : {}),
    ...logging(endpoint),
  });
  return createClient(adapter, { clock: instantClock, ...logging(endpoint) });
}

/** The vSphere adapter over SOAP with a CA, a pinned thumbprint, or no verification. */
export function vsphereClient(endpoint: Endpoint): VmshiftClient {
  const adapter = createVsphereAdapter({
    url: `${endpoint.origin}/sdk`,
    username: USERS.vsphere,
    password: SECRETS.vspherePassword,
    ...(endpoint.tls === "ca" && endpoint.certPem ? { ca: endpoint.certPem } : {}),
    ...(endpoint.tls === "thumbprint" && endpoint.thumbprint ? { thumbprint: endpoint.thumbprint } : {}),
    ...(endpoint.tls === "insecure" ? { insecureSkipTlsVerify: true } : {}),
    ...logging(endpoint),
  });
  return createClient(adapter, { clock: instantClock, ...logging(endpoint) });
}

/**
 * The credentials a request carried, for answers that echo them: the Authorization header as
 * sent, its bare token, the password inside HTTP Basic, the API key, the SOAP Login password.
 */
function credentialsIn(request: SeenRequest): string {
  const authorization = request.headers.authorization ?? "";
  const bare = authorization.replace(/^(Bearer|Basic)\s+/i, "");
  const basicPassword = /^Basic /i.test(authorization) ? Buffer.from(bare, "base64").toString("utf8").split(":").slice(1).join(":") : "";
  const soapPassword = /<password>([^<]*)<\/password>/.exec(request.body)?.[1];
  const apiKey = request.headers["x-ntnx-api-key"];
  return [authorization, bare, basicPassword, typeof apiKey === "string" ? apiKey : "", soapPassword].filter(Boolean).join(" | ");
}

/** A Kubernetes `Status` answer; `echo` puts the request's credentials into the message. */
export function kubeStatus(code: number, reason: string, echo = false): (request: SeenRequest) => Answer {
  return (request) => ({
    status: code,
    body: JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message: echo ? `${reason}: rejected credentials ${credentialsIn(request)}` : `${reason}` }),
  });
}

/** A Prism v4 error answer; `echo` puts the request's credentials into the message. */
export function prismError(status: number, echo = false, code = `TEST-${status}`): (request: SeenRequest) => Answer {
  return (request) => ({
    status,
    body: JSON.stringify({ data: { error: [{ code, message: echo ? `rejected ${credentialsIn(request)}` : "rejected" }] } }),
  });
}

/** A plain-text answer that echoes the request's credentials (a misbehaving proxy). */
export function textEcho(status: number): (request: SeenRequest) => Answer {
  return (request) => ({ status, contentType: "text/plain", body: `upstream refused the request with ${credentialsIn(request)}` });
}

const SOAP = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const SERVICE_CONTENT = SOAP(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager><about><fullName>local test server</fullName><apiType>VirtualCenter</apiType><apiVersion>6.5</apiVersion></about><sessionManager type="SessionManager">SessionManager</sessionManager></returnval></RetrieveServiceContentResponse>',
);

const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** A vCenter that hands out ServiceContent and drops the connection when the client sends Login. */
export function vcenterDroppingLogin(): (request: SeenRequest) => Answer {
  return (request) => (request.body.includes("RetrieveServiceContent") ? { status: 200, body: SERVICE_CONTENT, contentType: "text/xml" } : { status: 0, body: "" });
}

/**
 * A vCenter that hands out ServiceContent and refuses every Login with `InvalidLogin`; `echo`
 * puts the password the client sent into the fault string.
 */
export function vcenterRefusingLogin(echo = false): (request: SeenRequest) => Answer {
  return (request) => {
    if (request.body.includes("RetrieveServiceContent")) return { status: 200, body: SERVICE_CONTENT, contentType: "text/xml" };
    const said = echo ? `Cannot complete login due to an incorrect user name or password (${xmlText(credentialsIn(request))})` : "Cannot complete login due to an incorrect user name or password";
    return {
      status: 500,
      contentType: "text/xml",
      body: SOAP(`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${said}</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"/></detail></soapenv:Fault>`),
    };
  };
}
