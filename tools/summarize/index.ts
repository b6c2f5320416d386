import { readFleetChanges } from "./fleetChanges";
import { parsePreviewDocument } from "./previewDocument";
import { DEFAULT_RENDER_OPTIONS, renderSummary, type RenderOptions } from "./render";

export { readFleetChanges, type FleetChanges, type TenantChange, type BranchChange } from "./fleetChanges";
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
