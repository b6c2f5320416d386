/**
 * The gRPC face the program talks to: pulumirpc.ResourceMonitor and pulumirpc.Engine, served with the
 * generated stubs shipped in @pulumi/pulumi. It only translates messages; what a registration does is
 * decided by the MonitorHandler (the deployment).
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import type { Alias } from "@pulumi/pulumi/proto/alias_pb";
import * as res from "@pulumi/pulumi/proto/resource_pb";
import { normalizeInputs, type PropertyMap } from "./properties";

/** A resource registration as the engine sees it (RegisterResourceRequest, decoded). */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  inputs: PropertyMap;
  dependencies: string[];
  provider?: string;
  protect: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  retainOnDelete: boolean;
  deletedWith?: string;
  /** URNs this resource may have had before (its `aliases`), collapsed like the engine's collapseAliasToUrn. */
  aliases: string[];
}

/**
 * What the engine answers to a registration. `fail` and `skip` are answered as results, not gRPC
 * errors (the SDK asks for result reporting): the program's outputs of that resource stay unknown and
 * the program runs on, as under `pulumi up --continue-on-error`.
 */
export interface RegistrationResult {
  id: string;
  outputs: PropertyMap;
  result: "success" | "fail" | "skip";
}

const RESULTS = { success: res.Result.SUCCESS, fail: res.Result.FAIL, skip: res.Result.SKIP } as const;

/** Severity of an engine log message. */
export type Severity = "debug" | "info" | "warning" | "error";

/** The deployment behind the monitor. */
export interface MonitorHandler {
  registerResource(reg: Registration): Promise<RegistrationResult>;
  registerResourceOutputs(urn: string, outputs: PropertyMap): void;
  log(severity: Severity, message: string, urn: string): void;
}

/** Features this engine double implements; everything else is answered `false` so the SDK falls back. */
const SUPPORTED_FEATURES = new Set(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"]);
const SEVERITIES: Record<number, Severity> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Builds a URN the way the engine does: parent's qualified type joined with `$`, except under the root stack. */
export function makeUrn(stack: string, project: string, type: string, name: string, parent?: string): string {
  let qualified = type;
  if (parent) {
    const parentType = parent.split("::")[2] ?? "";
    if (parentType !== ROOT_STACK_TYPE) qualified = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

type Unary<Req, Resp> = (call: grpc.ServerUnaryCall<Req, Resp>, cb: grpc.sendUnaryData<Resp>) => void;

const unimplemented =
  (what: string): Unary<unknown, unknown> =>
  (_call, cb) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: `${what} is not supported by the neon-fleet engine double` }, null);

/** A running monitor+engine server. */
export class MonitorServer {
  private rootUrn = "";

  private constructor(
    private readonly server: grpc.Server,
    /** `127.0.0.1:PORT`, passed to the program as --monitor and --engine and to the provider. */
    readonly address: string,
  ) {}

  /** Binds a loopback port; the address is known before the handler exists (the provider needs it). */
  static async listen(): Promise<MonitorServer> {
    const server = new grpc.Server({
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    return new MonitorServer(server, `127.0.0.1:${port}`);
  }

  /** Serves ResourceMonitor and Engine for `handler`. */
  serve(stack: string, project: string, handler: MonitorHandler): void {
    this.server.addService(ResourceMonitorService, this.monitorService(stack, project, handler));
    this.server.addService(EngineService, this.engineService(handler));
  }

  /** Stops serving; in-flight calls are cut. */
  stop(): void {
    this.server.forceShutdown();
  }

  private monitorService(stack: string, project: string, handler: MonitorHandler): grpc.UntypedServiceImplementation {
    const supportsFeature: Unary<res.SupportsFeatureRequest, res.SupportsFeatureResponse> = (call, cb) => {
      const resp = new res.SupportsFeatureResponse();
      resp.setHassupport(SUPPORTED_FEATURES.has(call.request.getId()));
      cb(null, resp);
    };
    const registerResource: Unary<res.RegisterResourceRequest, res.RegisterResourceResponse> = (call, cb) => {
      const reg = decodeRegistration(call.request, stack, project);
      handler.registerResource(reg).then(
        ({ id, outputs, result }) => {
          const resp = new res.RegisterResourceResponse();
          resp.setUrn(reg.urn);
          resp.setId(id);
          resp.setObject(Struct.fromJavaScript(outputs as Parameters<typeof Struct.fromJavaScript>[0]));
          resp.setResult(RESULTS[result]);
          cb(null, resp);
        },
        (e: Error) => cb({ code: grpc.status.UNKNOWN, details: e.message }, null),
      );
    };
    const registerResourceOutputs: Unary<res.RegisterResourceOutputsRequest, Empty> = (call, cb) => {
      handler.registerResourceOutputs(
        call.request.getUrn(),
        normalizeInputs((call.request.getOutputs()?.toJavaScript() ?? {}) as PropertyMap),
      );
      cb(null, new Empty());
    };
    return {
      supportsFeature,
      registerResource,
      registerResourceOutputs,
      invoke: unimplemented("invoke"),
      call: unimplemented("call"),
      readResource: unimplemented("readResource (resource get)"),
      registerStackTransform: unimplemented("transforms"),
      registerStackInvokeTransform: unimplemented("invoke transforms"),
      registerResourceHook: unimplemented("resource hooks"),
      registerErrorHook: unimplemented("error hooks"),
      registerPackage: unimplemented("packages"),
      signalAndWaitForShutdown: (_call: unknown, cb: grpc.sendUnaryData<Empty>) => cb(null, new Empty()),
    } as grpc.UntypedServiceImplementation;
  }

  private engineService(handler: MonitorHandler): grpc.UntypedServiceImplementation {
    const log: Unary<enginePb.LogRequest, Empty> = (call, cb) => {
      handler.log(SEVERITIES[call.request.getSeverity()] ?? "info", call.request.getMessage(), call.request.getUrn());
      cb(null, new Empty());
    };
    const getRootResource: Unary<enginePb.GetRootResourceRequest, enginePb.GetRootResourceResponse> = (_call, cb) => {
      const resp = new enginePb.GetRootResourceResponse();
      resp.setUrn(this.rootUrn);
      cb(null, resp);
    };
    const setRootResource: Unary<enginePb.SetRootResourceRequest, enginePb.SetRootResourceResponse> = (call, cb) => {
      this.rootUrn = call.request.getUrn();
      cb(null, new enginePb.SetRootResourceResponse());
    };
    return {
      log,
      getRootResource,
      setRootResource,
      startDebugging: unimplemented("debugging"),
    } as grpc.UntypedServiceImplementation;
  }
}

function decodeRegistration(req: res.RegisterResourceRequest, stack: string, project: string): Registration {
  const parent = req.getParent() || undefined;
  const type = req.getType();
  const name = req.getName();
  return {
    urn: makeUrn(stack, project, type, name, parent),
    type,
    name,
    custom: req.getCustom(),
    ...(parent ? { parent } : {}),
    inputs: normalizeInputs((req.getObject()?.toJavaScript() ?? {}) as PropertyMap),
    dependencies: req.getDependenciesList(),
    ...(req.getProvider() ? { provider: req.getProvider() } : {}),
    protect: req.getProtect() === true,
    ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
    ignoreChanges: req.getIgnorechangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    retainOnDelete: req.getRetainondelete() === true,
    ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
    aliases: [
      ...new Set([
        ...req.getAliasurnsList(),
        ...req.getAliasesList().map((a) => aliasUrn(a, stack, project, type, name, parent)),
      ]),
    ],
  };
}

/**
 * An alias as a URN, like step_generator.go collapseAliasToUrn: a full URN as it is; a spec's empty name,
 * type, project and stack default to the resource's own, its parent to the resource's parent (none when
 * `noParent` or when the parent is the root stack). Aliases inherited from an aliased parent are not derived.
 */
function aliasUrn(alias: Alias, stack: string, project: string, type: string, name: string, parent?: string): string {
  if (alias.hasUrn()) return alias.getUrn();
  const spec = alias.getSpec();
  if (!spec) return "";
  const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent;
  return makeUrn(
    spec.getStack() || stack,
    spec.getProject() || project,
    spec.getType() || type,
    spec.getName() || name,
    aliasParent,
  );
}
