// Preloaded by `bun test` (bunfig.toml): code under test that calls process.exit would end the
// whole run at once, with the exit code it chose and without a summary, so that the files after
// it never run and a 0 reads as success. Inside the test runner it throws instead, and the
// error fails the run. (Servers, hosts and CLIs that tests start as processes of their own keep
// their real process.exit.)

process.exit = ((code?: number) => {
  throw new Error(
    `process.exit(${code ?? ""}) was called inside the test runner: it would have ended the run early`,
  );
}) as typeof process.exit;
