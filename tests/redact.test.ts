import { redactUrl, redactUrlsIn, withoutCredentials } from "../provider/redact";
import { FleetError } from "../provider/errors";

describe("URL credentials", () => {
  it("are replaced by *** in a URL and inside any text, and URLs without them are left alone", () => {
    expect(redactUrl("https://admin:hunter2@neon.example/api/v2")).toBe("https://***:***@neon.example/api/v2");
    expect(redactUrl("http://127.0.0.1:4010/api/v2")).toBe("http://127.0.0.1:4010/api/v2");
    expect(redactUrlsIn("no answer from http://admin:hunter2@10.0.0.1:9/api/v2 (ECONNREFUSED)")).toBe(
      "no answer from http://***:***@10.0.0.1:9/api/v2 (ECONNREFUSED)",
    );
  });

  it("never reach a FleetError's message, and are dropped from the URL the client calls", () => {
    expect(new FleetError("bad host https://admin:hunter2@neon.example/api/v2").message).not.toContain("hunter2");
    expect(withoutCredentials("https://admin:hunter2@neon.example/api/v2")).toBe("https://neon.example/api/v2");
  });
});
