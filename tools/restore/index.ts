/**
 * `neon-fleet restore TENANT --to TIME`: writes a point-in-time restore into the tenant's entry of its tenants
 * file, in place, through yaml's Document API so comments, key order and formatting stay as the author left them.
 * Nothing is sent to Neon: the change is reviewed (preview, pull request) and applied by `pulumi up` like any other.
 */
import { readFile, writeFile } from "node:fs/promises";
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { FleetError, UsageError } from "../../provider/errors";
import { loadPlans } from "../../provider/plans";
import { backupBranchName, defaultRestoreToken } from "../../provider/plans/restore";
import { restoreTimeSchema } from "../../provider/plans/schema";

/** What `neon-fleet restore` was asked. */
export interface RestoreOptions {
  tenantId: string;
  to: string;
  token?: string;
  plansDir: string;
}

/** What was written, for the command to print. */
export interface RestoreEdit {
  file: string;
  tenantId: string;
  to: string;
  token: string;
  backupBranch: string;
  /** The entry said exactly this already: the file was left alone. */
  unchanged: boolean;
}

/** Validates the request, edits the tenants file and checks the edited plans still load. */
export async function planRestore(options: RestoreOptions): Promise<RestoreEdit> {
  const parsed = restoreTimeSchema.safeParse(options.to);
  if (!parsed.success) throw new UsageError(`--to ${parsed.error.issues[0]!.message}`);
  const to = parsed.data;
  const token = options.token ?? defaultRestoreToken(to);
  const fleet = await loadPlans(options.plansDir);
  const tenant = fleet.tenants.find((t) => t.id === options.tenantId);
  if (!tenant) {
    const known = fleet.tenants
      .slice(0, 5)
      .map((t) => t.id)
      .join(", ");
    const more = fleet.tenants.length > 5 ? ", …" : "";
    const where = `${options.plansDir}/tenants/*.yaml`;
    throw new UsageError(`tenant ${options.tenantId} is not in ${where} (tenants: ${known}${more})`);
  }
  const file = tenant.source.file;
  const text = await readFile(file, "utf8");
  const doc = parseDocument(text);
  const entry = tenantEntry(doc.get("tenants"), options.tenantId);
  if (!entry) {
    throw new FleetError(`${file}: tenant ${options.tenantId} is not a mapping in its tenants list; edit it by hand`);
  }
  const unchanged = entry.getIn(["restore", "to"]) === to && entry.getIn(["restore", "token"]) === token;
  if (!unchanged) {
    const restore = entry.get("restore");
    if (isMap(restore)) {
      // Keep the author's other keys (keepBackups) and the entry's style.
      restore.set("to", to);
      restore.set("token", token);
    } else {
      const node = doc.createNode({ to, token });
      node.flow = true;
      entry.set("restore", node);
    }
    await writeFile(file, doc.toString());
    await loadPlans(options.plansDir);
  }
  const backupBranch = backupBranchName(options.tenantId, token);
  return { file, tenantId: options.tenantId, to, token, backupBranch, unchanged };
}

/** The mapping of the tenant with `id` in a tenants list node. */
function tenantEntry(list: unknown, id: string): YAMLMap | undefined {
  if (!isSeq(list)) return undefined;
  return list.items.find((item): item is YAMLMap => isMap(item) && item.get("id") === id);
}

/** The lines `neon-fleet restore` prints. */
export function describeRestoreEdit(edit: RestoreEdit): string {
  const what = `${edit.file}: ${edit.tenantId}: restore: { to: ${edit.to}, token: ${edit.token} }`;
  const head = edit.unchanged ? `${what} (already planned; nothing changed)` : what;
  return (
    `${head}\n` +
    `writes after ${edit.to} will move to branch ${edit.backupBranch}; the connection strings stay the same.\n` +
    `Next: open a pull request with this change (its preview lists the restore first), or run \`pulumi up\`.\n`
  );
}
