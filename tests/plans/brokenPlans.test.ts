import { readFileSync } from "node:fs";
import path from "node:path";
import { loadPlans } from "../../provider/plans";
import { EXPECTED_FILE, FIXTURES, brokenCases, caseErrors } from "./brokenCase";

/**
 * The broken-plans corpus: each case is a plans directory with a mistake a fleet engineer makes, and the exact
 * `FILE:LINE:COL: message` lines they must see. Adding a case = adding a folder with an expected.txt.
 */
describe("a plans directory with mistakes", () => {
  const cases = brokenCases();

  it("has a corpus of at least 25 distinct mistakes", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it("builds on a valid base, so each case shows only its own mistake", async () => {
    await expect(loadPlans(path.join(FIXTURES, "base"))).resolves.toMatchObject({
      tenants: [{ id: "acme" }, { id: "globex" }, { id: "initech" }],
    });
  });

  it.each(cases)("%s: reports exactly the expected lines", async (name) => {
    const expected = readFileSync(path.join(FIXTURES, "broken", name, EXPECTED_FILE), "utf8")
      .trimEnd()
      .split("\n");
    expect(await caseErrors(name)).toEqual(expected);
  });
});
