/**
 * URL credentials never reach a message, a log line or a file: `--api https://user:secret@host/api/v2` is shown
 * as `https://***:***@host/api/v2`. A plans header or an error is copied into tickets and git.
 */

/** The URL with any user name and password replaced by `***`; text that is not a URL is returned as is. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    if (parsed.username !== "") parsed.username = "***";
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url;
  }
}

/** Every `scheme://user:password@` inside free text (an error from a library) with the credentials replaced. */
export function redactUrlsIn(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(?::[^\s/@]*)?@/gi, "$1***:***@");
}

/** The URL without user name and password; text that is not a URL is returned as is. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url;
  }
}
