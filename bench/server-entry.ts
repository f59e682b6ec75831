// The server as the benches run it: src/main.ts unchanged, plus the SIGUSR2 hook of
// bench/settle-hook.ts so that a bench can force a settle from outside.

import "./settle-hook.ts";
import "../src/main.ts";
