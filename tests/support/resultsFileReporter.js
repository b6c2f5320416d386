// Writes jest's aggregated counts to .jest-results.json so .ci/run can print its one summary line
// while running exactly `npm test`, the command the README gives.
const fs = require("node:fs");
const path = require("node:path");

class ResultsFileReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const summary = {
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numTotalTests: results.numTotalTests,
      numFailedTestSuites: results.numFailedTestSuites,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      success: results.success,
    };
    fs.writeFileSync(path.join(this.rootDir, ".jest-results.json"), JSON.stringify(summary, null, 2));
  }
}

module.exports = ResultsFileReporter;
