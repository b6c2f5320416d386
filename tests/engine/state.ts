/**
 * The engine double's state file: a JSON checkpoint in the spirit of a Pulumi stack export (one entry
 * per resource with urn, type, id, inputs, outputs, parent, dependencies, provider), secrets encrypted.
 * Written atomically (temp file + rename) so a crash leaves the previous complete version.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { FleetError } from "../../provider/errors";
import { containsSecret, type PropertyMap } from "./properties";
import { PassphraseCrypter } from "./secrets";

const propertyMap = z.record(z.string(), z.unknown());

/** One resource as stored (secrets as encrypted envelopes). */
export const stateResourceSchema = z.object({
  urn: z.string(),
  custom: z.boolean(),
  type: z.string(),
  id: z.string().optional(),
  inputs: propertyMap,
  outputs: propertyMap,
  parent: z.string().optional(),
  dependencies: z.array(z.string()),
  provider: z.string().optional(),
  protect: z.boolean().optional(),
  retainOnDelete: z.boolean().optional(),
  deletedWith: z.string().optional(),
  additionalSecretOutputs: z.array(z.string()).optional(),
  /** Top-level input/output keys that hold secrets, for readers of the file; the envelopes are authoritative. */
  secretProperties: z.array(z.string()).optional(),
  /** An old resource replaced by a new one with the same URN, waiting for its delete (Pulumi's `delete: true`). */
  delete: z.boolean().optional(),
  /**
   * Deleted by a delete-before-replace whose replacement is not created yet (Pulumi's `pendingReplacement`):
   * kept in state so the next run diffs it again and replaces it without deleting it a second time.
   */
  pendingReplacement: z.boolean().optional(),
  /** Set when a create succeeded but the resource failed to initialize (ErrorResourceInitFailed). */
  initErrors: z.array(z.string()).optional(),
});

const stateFileSchema = z.object({
  version: z.literal(1),
  /** Says what wrote this file, so nobody mistakes it for a real Pulumi checkpoint. */
  description: z.string(),
  project: z.string(),
  stack: z.string(),
  secretsProvider: z.object({ type: z.literal("passphrase"), encryptionsalt: z.string() }),
  resources: z.array(stateResourceSchema),
});

/** One resource as stored. */
export type StoredResource = z.infer<typeof stateResourceSchema>;

/** One resource in memory: like StoredResource but inputs/outputs hold wire secrets, not ciphertext. */
export type ResourceState = Omit<StoredResource, "secretProperties"> & { inputs: PropertyMap; outputs: PropertyMap };

/** The state file is not valid JSON of the expected shape. */
export class StateFileError extends FleetError {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}; restore it from version control or delete it to start from an empty stack`);
  }
}

/** A loaded state file with its crypter, ready to save again. */
export interface LoadedState {
  resources: ResourceState[];
  crypter: PassphraseCrypter;
}

/** Reads FILE (an absent file is an empty stack) and decrypts its secrets with the passphrase. */
export async function loadState(file: string, passphrase: string): Promise<LoadedState> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      return { resources: [], crypter: PassphraseCrypter.create(passphrase) };
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StateFileError(file, "not valid JSON");
  }
  const parsed = stateFileSchema.safeParse(json);
  if (!parsed.success)
    throw new StateFileError(file, `unexpected shape (${parsed.error.issues[0]?.message ?? "invalid"})`);
  const crypter = PassphraseCrypter.open(passphrase, parsed.data.secretsProvider.encryptionsalt, file);
  const resources = parsed.data.resources.map(({ secretProperties: _ignored, ...r }) => ({
    ...r,
    inputs: crypter.decryptDeep(r.inputs) as PropertyMap,
    outputs: crypter.decryptDeep(r.outputs) as PropertyMap,
  }));
  return { resources, crypter };
}

/** Writes the state atomically: encrypted, pretty enough to diff, renamed into place. */
export async function saveState(
  file: string,
  project: string,
  stack: string,
  crypter: PassphraseCrypter,
  resources: Iterable<ResourceState>,
): Promise<void> {
  const stored: StoredResource[] = [];
  for (const r of resources) {
    const inputs = crypter.encryptDeep(r.inputs) as PropertyMap;
    const outputs = crypter.encryptDeep(r.outputs) as PropertyMap;
    const secretProperties = [...new Set([...secretKeys(r.inputs), ...secretKeys(r.outputs)])];
    stored.push({ ...r, inputs, outputs, ...(secretProperties.length ? { secretProperties } : {}) });
  }
  const doc: z.infer<typeof stateFileSchema> = {
    version: 1,
    description: "neon-fleet engine double state (a test double's checkpoint, not a Pulumi stack export)",
    project,
    stack,
    secretsProvider: { type: "passphrase", encryptionsalt: crypter.encryptionSalt },
    resources: stored,
  };
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(doc, null, 1)}\n`);
  await fs.rename(tmp, file);
}

function secretKeys(props: PropertyMap): string[] {
  return Object.keys(props).filter((k) => containsSecret(props[k]));
}
