/**
 * A bearer token kept in a file (`tokenFile`, the pod's service-account token). The kubelet
 * rotates projected tokens by swapping the file, so the file's stamp is checked before each use
 * and the token read again when it changed; a 401 forces a fresh read too.
 */
import { credentialError, describe } from "./problems.ts";
import type { FileStamp, KubeconfigSystem } from "./system.ts";

const same = (a: FileStamp | undefined, b: FileStamp): boolean => a !== undefined && a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino;

/** The token of one file. */
export class TokenFile {
  readonly #path: string;
  readonly #system: KubeconfigSystem;
  #stamp: FileStamp | undefined;
  #token: string | undefined;

  constructor(path: string, system: KubeconfigSystem) {
    this.#path = path;
    this.#system = system;
  }

  /** The token now in the file. Throws `UNAUTHENTICATED` when the file cannot be read or is empty. */
  async token(): Promise<string> {
    let stamp: FileStamp;
    try {
      stamp = await this.#system.stat(this.#path);
    } catch (error) {
      throw credentialError(`cannot read the token file ${this.#path} (${describe(error)})`);
    }
    if (this.#token !== undefined && same(this.#stamp, stamp)) return this.#token;
    return this.#read(stamp);
  }

  /** Reads the file again whatever its stamp; true when the token differs from the one `used`. */
  async reread(used: string | undefined): Promise<boolean> {
    try {
      const token = await this.#read(await this.#system.stat(this.#path));
      return token !== used;
    } catch {
      return false;
    }
  }

  async #read(stamp: FileStamp): Promise<string> {
    let text: string;
    try {
      text = (await this.#system.readFile(this.#path)).toString("utf8").trim();
    } catch (error) {
      throw credentialError(`cannot read the token file ${this.#path} (${describe(error)})`);
    }
    if (!text) throw credentialError(`the token file ${this.#path} is empty`);
    this.#token = text;
    this.#stamp = stamp;
    return text;
  }
}
