/**
 * The default provider of package `pulumi-nodejs`: the REAL dynamic-provider gRPC server shipped in
 * @pulumi/pulumi, launched the way the engine launches `pulumi-resource-pulumi-nodejs` (node + the
 * script + the engine address; the server prints its port on stdout). One process per run, one channel.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as prov from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { FleetError } from "../../provider/errors";
import type { PropertyMap } from "./properties";

/** The provider process could not be started or configured. */
export class ProviderStartError extends FleetError {
  constructor(problem: string) {
    super(`dynamic provider: ${problem}; check that @pulumi/pulumi is installed (npm ci)`);
  }
}

/** A provider call failed; `initFailed` is set when a create/update succeeded but the resource failed to initialize. */
export class ProviderCallError extends FleetError {
  constructor(
    message: string,
    readonly initFailed?: { id: string; properties: PropertyMap; reasons: string[] },
  ) {
    super(message);
  }
}

/** The provider's answer to Diff. */
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  diffs: string[];
  deleteBeforeReplace: boolean;
}

/** The provider's answer to Read; an empty id means the resource no longer exists. */
export interface ReadResult {
  id: string;
  properties: PropertyMap;
  inputs?: PropertyMap;
}

const fromStruct = (s: Struct | undefined): PropertyMap => (s ? (s.toJavaScript() as PropertyMap) : {});
const toStruct = (m: PropertyMap): Struct => Struct.fromJavaScript(m as Parameters<typeof Struct.fromJavaScript>[0]);

/** A running dynamic-provider process and its gRPC client. */
export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly stderr: () => string,
  ) {}

  /** Starts the provider server with `engineAddress` and waits for the port it prints. */
  static async start(engineAddress: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ProviderHost> {
    const script = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const child = spawn(process.execPath, [script, engineAddress], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20000)));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n")[0];
        if (out.includes("\n")) resolve(line.trim());
      });
      child.once("exit", (code) =>
        reject(
          new ProviderStartError(
            `exited with code ${code} before printing its port: ${stderr.trim().split("\n").pop() ?? ""}`,
          ),
        ),
      );
      child.once("error", (e) => reject(new ProviderStartError(e.message)));
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    return new ProviderHost(child, client, () => stderr);
  }

  /** Recent stderr of the provider process (its own error traces), for diagnostics. */
  get log(): string {
    return this.stderr();
  }

  /** Configure with the whole stack config (the engine passes dynamic providers every key, namespaced). */
  async configure(args: PropertyMap, variables: Record<string, string>): Promise<void> {
    const req = new prov.ConfigureRequest();
    req.setArgs(toStruct(args));
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call<prov.ConfigureRequest, prov.ConfigureResponse>("configure", req);
  }

  /** Check: validates and normalizes new inputs; failures are returned, not thrown. */
  async check(
    urn: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: { property: string; reason: string }[] }> {
    const req = new prov.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.call<prov.CheckRequest, prov.CheckResponse>("check", req);
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff: compares old outputs with checked new inputs. */
  async diff(
    urn: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs: PropertyMap,
    ignoreChanges: string[],
  ): Promise<DiffResult> {
    const req = new prov.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    req.setIgnorechangesList(ignoreChanges);
    const resp = await this.call<prov.DiffRequest, prov.DiffResponse>("diff", req);
    const C = prov.DiffResponse.DiffChanges;
    const changes = resp.getChanges() === C.DIFF_SOME ? "some" : resp.getChanges() === C.DIFF_NONE ? "none" : "unknown";
    return {
      changes,
      replaces: resp.getReplacesList(),
      diffs: resp.getDiffsList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  /** Create (never called during preview). */
  async create(urn: string, news: PropertyMap): Promise<{ id: string; properties: PropertyMap }> {
    const req = new prov.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(news));
    const resp = await this.call<prov.CreateRequest, prov.CreateResponse>("create", req);
    return { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
  }

  /** Update (never called during preview). */
  async update(
    urn: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs: PropertyMap,
  ): Promise<PropertyMap> {
    const req = new prov.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const resp = await this.call<prov.UpdateRequest, prov.UpdateResponse>("update", req);
    return fromStruct(resp.getProperties());
  }

  /** Delete with the resource's last outputs (which carry `__provider`). */
  async delete(urn: string, id: string, outputs: PropertyMap, inputs: PropertyMap): Promise<void> {
    const req = new prov.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setOldInputs(toStruct(inputs));
    await this.call<prov.DeleteRequest, unknown>("delete", req);
  }

  /** Read the live state (refresh). */
  async read(urn: string, id: string, outputs: PropertyMap, inputs: PropertyMap): Promise<ReadResult> {
    const req = new prov.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setInputs(toStruct(inputs));
    const resp = await this.call<prov.ReadRequest, prov.ReadResponse>("read", req);
    const inputsStruct = resp.getInputs();
    return {
      id: resp.getId(),
      properties: fromStruct(resp.getProperties()),
      ...(inputsStruct ? { inputs: fromStruct(inputsStruct) } : {}),
    };
  }

  /** Closes the channel and stops the process. */
  close(): void {
    this.client.close();
    this.child.kill();
  }

  private call<Req, Resp>(method: string, req: Req): Promise<Resp> {
    const fn = (
      this.client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Resp) => void) => void>
    )[method].bind(this.client);
    return new Promise((resolve, reject) => fn(req, (err, resp) => (err ? reject(toCallError(err)) : resolve(resp))));
  }
}

/** Unpacks a gRPC error, including the ErrorResourceInitFailed detail the dynamic provider attaches. */
function toCallError(err: grpc.ServiceError): ProviderCallError {
  const message = err.details || err.message;
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (bin === undefined) return new ProviderCallError(message);
  const status = Status.deserializeBinary(new Uint8Array(Buffer.isBuffer(bin) ? bin : Buffer.from(bin)));
  for (const any of status.getDetailsList()) {
    if (!any.getTypeName().endsWith("pulumirpc.ErrorResourceInitFailed")) continue;
    const detail = prov.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
    return new ProviderCallError(message, {
      id: detail.getId(),
      properties: fromStruct(detail.getProperties()),
      reasons: detail.getReasonsList(),
    });
  }
  return new ProviderCallError(message);
}
