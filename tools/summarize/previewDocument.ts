import { z } from "zod";
import { PreviewFileError } from "../../provider/errors";

/**
 * The document `pulumi preview --json` prints (Pulumi's `display.PreviewDigest`), and the engine double
 * writes. Objects are loose because the CLI adds fields over time; only what the summary reads is checked
 * (outputs, diff details and provider references pass through unread).
 * Go's encoder writes absent slices and maps as `null`, hence `nullish` rather than `optional`.
 */
/** An object of property values, checked without copying it: inputs are the bulk of a large preview. */
const propertyMapSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  {
    message: "expected an object of property values",
  },
);

const resourceStateSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  /** The provider's id; a TenantProject's is its Neon project id. */
  id: z.string().nullish(),
  inputs: propertyMapSchema.nullish(),
});

const stepSchema = z.looseObject({
  op: z.string(),
  urn: z.string(),
  oldState: resourceStateSchema.nullish(),
  newState: resourceStateSchema.nullish(),
  replaceReasons: z.array(z.string()).nullish(),
});

const diagnosticSchema = z.looseObject({
  urn: z.string().nullish(),
  prefix: z.string().nullish(),
  message: z.string().nullish(),
  severity: z.string().nullish(),
});

/** Zod schema of a `pulumi preview --json` document. */
export const previewDocumentSchema = z
  .looseObject({
    config: z.record(z.string(), z.unknown()).nullish(),
    steps: z.array(stepSchema).nullish(),
    diagnostics: z.array(diagnosticSchema).nullish(),
    duration: z.number().nullish(),
    changeSummary: z.record(z.string(), z.number()).nullish(),
  })
  .refine((doc) => doc.steps != null || doc.changeSummary != null || doc.diagnostics != null, {
    message: "it has none of `steps`, `changeSummary`, `diagnostics`",
  });

/** A parsed preview document. */
export type PreviewDocument = z.infer<typeof previewDocumentSchema>;
/** One step the engine would take on one resource. */
export type PreviewStep = z.infer<typeof stepSchema>;
/** A warning or error the preview reported. */
export type PreviewDiagnostic = z.infer<typeof diagnosticSchema>;

/** The string Pulumi writes for a value that is only known after `up`. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The string Pulumi writes in place of a secret value. */
export const SECRET_VALUE = "[secret]";

/**
 * Parses the text of a preview document.
 * @param file where the text came from, named in the error (`-` for stdin).
 * @throws PreviewFileError when the text is not JSON or not shaped like a preview document.
 */
export function parsePreviewDocument(text: string, file: string): PreviewDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PreviewFileError(
      file,
      `not JSON (${(err as Error).message}); pass the output of \`pulumi preview --json\``,
    );
  }
  const result = previewDocumentSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : "";
    throw new PreviewFileError(file, `not a \`pulumi preview --json\` document: ${where}${issue.message}`);
  }
  return result.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}
