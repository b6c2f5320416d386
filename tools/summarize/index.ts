import { mergeFleetChanges, readFleetChanges } from "./fleetChanges";
import { parsePreviewDocument } from "./previewDocument";
import { DEFAULT_RENDER_OPTIONS, renderSummary, type RenderOptions } from "./render";

export { mergeFleetChanges, readFleetChanges } from "./fleetChanges";
export type { FleetChanges, TenantChange, BranchChange } from "./fleetChanges";
export { parsePreviewDocument, type PreviewDocument } from "./previewDocument";
export { renderSummary, DEFAULT_RENDER_OPTIONS, type RenderOptions } from "./render";

/**
 * Turns the text of a `pulumi preview --json` document into the Markdown fleet summary (README "CI: pull-request
 * summaries and GitOps").
 * @param file where the text came from, named in errors (`-` for stdin).
 * @throws PreviewFileError when the text is not a preview document.
 */
export function summarizePreview(text: string, file: string, options: RenderOptions = DEFAULT_RENDER_OPTIONS): string {
  return renderSummary(readFleetChanges(parsePreviewDocument(text, file)), options);
}

/**
 * One summary of the previews of several stacks (one pull request, previewed stack by stack): a tenant that leaves one
 * stack for another reads as one move to that stack.
 * @throws PreviewFileError naming the first file that is not a preview document.
 */
export function summarizePreviews(
  previews: readonly { text: string; file: string }[],
  options: RenderOptions = DEFAULT_RENDER_OPTIONS,
): string {
  const changes = previews.map(({ text, file }) => readFleetChanges(parsePreviewDocument(text, file)));
  return renderSummary(mergeFleetChanges(changes), options);
}
