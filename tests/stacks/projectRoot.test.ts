import * as path from "node:path";
import { projectRoot } from "../../stacks/projectRoot";

describe("the program's project root", () => {
  it("is the folder of Pulumi.yaml when Pulumi starts the program in dist/stacks, the folder of main", () => {
    const root = path.resolve(__dirname, "..", "..");

    expect(projectRoot(path.join(root, "dist", "stacks"))).toBe(root);
  });
});
