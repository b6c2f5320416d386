import { checkStackConfig } from "../stacks/stackConfig";

const WITH_KEY: NodeJS.ProcessEnv = { NEON_API_KEY: "k" };
const URL_RULE = "set it to an http(s) URL such as https://console.neon.tech/api/v2";

const problems = (config: Record<string, string>, env = WITH_KEY, dryRun = false): string[] => {
  try {
    checkStackConfig(config, env, dryRun);
    return [];
  } catch (err) {
    return (err as Error).message.split("\n");
  }
};

describe("the stack config check of the program", () => {
  it("accepts the settings of the example stacks", () => {
    const local = {
      "neon-fleet:plans": "./plans",
      "neon-fleet:allowReplace": "false",
      "neon-fleet:apiHost": "http://127.0.0.1:4010/api/v2",
    };
    expect(problems(local)).toEqual([]);
  });

  it("accepts a rate share written as a fraction, as the provider reads it, and waitForReady as a flag", () => {
    expect(problems({ "neon-fleet:rateShare": "1/4", "neon-fleet:waitForReady": "true" })).toEqual([]);
    expect(problems({ "neon-fleet:rateShare": "5/4" })).toEqual([
      'stack config neon-fleet:rateShare is "5/4"; set a number above 0 and at most 1, e.g. 0.25 (or 1/4) for each of four stacks run in parallel',
    ]);
  });

  it("reports every bad value and unknown key, one line each, credentials of a URL hidden", () => {
    expect(
      problems({
        "neon-fleet:refreshEndpoints": "sometimes",
        "neon-fleet:allowReplce": "true",
        "neon-fleet:apiHost": "console.neon.tech",
        "neon-fleet:rateShare": "2",
        "neon-fleet:bucket": "4/4",
        "other:key": "ignored",
      }),
    ).toEqual([
      'stack config neon-fleet:refreshEndpoints is "sometimes"; set it to true or false',
      expect.stringMatching(
        /^stack config neon-fleet:allowReplce is not a neon-fleet setting; known: allowMassRemoval, allowReplace,/,
      ),
      `stack config neon-fleet:apiHost is "console.neon.tech"; ${URL_RULE}`,
      'stack config neon-fleet:rateShare is "2"; set a number above 0 and at most 1, e.g. 0.25 (or 1/4) for each of four stacks run in parallel',
      'neon-fleet:bucket is "4/4": N must be below K (buckets are numbered from 0); set "N/K" with 0 <= N < K <= 4096, e.g. "0/4" for the first of four stacks',
    ]);
    expect(problems({ "neon-fleet:apiHost": "ftp://admin:hunter2@example.com" })).toEqual([
      `stack config neon-fleet:apiHost is "ftp://***:***@example.com"; ${URL_RULE}`,
    ]);
  });

  it("wants an API key for a run that changes Neon, not for a preview, and refuses a burst below 1", () => {
    const noKey =
      "no Neon API key: set NEON_API_KEY, or run `pulumi config set --secret neon-fleet:apiKey <key>` for the stack";
    expect(problems({}, {}, false)).toEqual([noKey]);
    expect(problems({}, {}, true)).toEqual([]);
    expect(problems({ "neon-fleet:apiKey": "k" }, {}, false)).toEqual([]);
    expect(problems({}, { NEON_API_KEY: "k", NEON_FLEET_BURST: "0.5" })).toEqual([
      "NEON_FLEET_BURST=0.5 is not a number of at least 1: unset it or set e.g. NEON_FLEET_BURST=30",
    ]);
  });
});
