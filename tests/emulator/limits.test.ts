import type { RunningEmulator } from "../../emulator/index";
import { checkedClient, control, failureOf, startTestEmulator } from "./support/harness";

describe("API keys and rate limits", () => {
  const started: RunningEmulator[] = [];
  const start = async (options: Parameters<typeof startTestEmulator>[0]) => {
    const emulator = await startTestEmulator(options);
    started.push(emulator);
    return emulator;
  };
  afterAll(() => Promise.all(started.map((e) => e.close())));

  it("answers 401 without an API key, and accepts only --api-key when one is set", async () => {
    const open = await start({});
    const anonymous = checkedClient(open, null);
    const refused = await failureOf(anonymous.api.listProjects({}));
    expect(refused.status).toBe(401);
    expect(refused.data.message).toMatch(/Bearer/);
    expect((await checkedClient(open, "any-key").api.listProjects({})).status).toBe(200);

    const guarded = await start({ apiKey: "the-key" });
    expect((await failureOf(checkedClient(guarded, "another-key").api.listProjects({}))).status).toBe(401);
    expect((await checkedClient(guarded, "the-key").api.listProjects({})).status).toBe(200);
    expect(anonymous.violations()).toEqual([]);
  });

  it("answers 429 with Retry-After past the per-route burst, without blocking other routes", async () => {
    const emulator = await start({ burstPerSecond: 2, ratePerMinute: 700 });
    const neon = checkedClient(emulator);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => neon.api.listProjects({}).catch((e) => e.response)),
    );
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(2);
    const limited = answers.find((a) => a.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(limited.data.message).toMatch(/rate limit/);
    expect((await neon.api.createProject({ project: { name: "tenant-other-route" } })).status).toBe(201);
    expect(emulator.stats().rateLimited).toBe(answers.filter((a) => a.status === 429).length);
    expect(neon.violations()).toEqual([]);
  });

  it("limits each API key per minute across routes", async () => {
    const emulator = await start({ ratePerMinute: 3, burstPerSecond: 100 });
    const neon = checkedClient(emulator);
    await neon.api.listProjects({});
    await neon.api.createProject({ project: { name: "tenant-a" } });
    await neon.api.listProjects({});
    const limited = await failureOf(neon.api.getProject("any-project"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(10);
    expect((await checkedClient(emulator, "second-account").api.listProjects({})).status).toBe(200);
  });

  it("counts requests by route template; the stats routes are free, uncounted and resettable", async () => {
    const emulator = await start({});
    const neon = checkedClient(emulator);
    const project = (await neon.api.createProject({ project: { name: "tenant-counted" } })).data.project;
    await neon.api.getProject(project.id);
    await neon.api.getProject(project.id);
    const stats = await control(emulator, "GET", "stats");
    expect(stats.body).toEqual({
      requests: { total: 3, byRoute: { "POST /projects": 1, "GET /projects/{project_id}": 2 } },
      rateLimited: 0,
      projects: 1,
    });
    await control(emulator, "POST", "reset-stats");
    expect(emulator.stats()).toEqual({ requests: { total: 0, byRoute: {} }, rateLimited: 0, projects: 1 });
  });
});

describe("the per-project branch limit", () => {
  it("refuses a branch past --branch-limit with 422 BRANCHES_LIMIT_EXCEEDED, the default branch counted", async () => {
    const emulator = await startTestEmulator({ branchLimit: 3, opMs: 0 });
    try {
      const neon = checkedClient(emulator);
      const { data } = await neon.api.createProject({ project: { name: "tenant-template" } });
      const projectId = data.project.id;
      for (const name of ["t1", "t2"]) {
        expect((await neon.api.createProjectBranch(projectId, { branch: { name } })).status).toBe(201);
      }
      const refused = await failureOf(neon.api.createProjectBranch(projectId, { branch: { name: "t3" } }));
      expect([refused.status, refused.data.code]).toEqual([422, "BRANCHES_LIMIT_EXCEEDED"]);
      expect(refused.data.message).toMatch(/branches limit of 3 exceeded/);
      const other = await neon.api.createProject({ project: { name: "tenant-other" } });
      expect((await neon.api.createProjectBranch(other.data.project.id, { branch: { name: "t3" } })).status).toBe(201);
      expect(neon.violations()).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
