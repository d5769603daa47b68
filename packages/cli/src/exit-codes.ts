// The exit codes in a module of their own: every command needs them, while exit.ts, which describes
// a failure, loads the vault's error classes and with them the AWS SDK.

/**
 * Exit codes every command shares (the README and `residency --help` list the same):
 * 0 done; 1 the command's check failed (invalid lines, a failed scenario, not found) or an
 * unexpected failure; 2 bad usage (unknown command or option, a missing or bad value, an input or
 * output file that cannot be used, bad configuration). Some commands add their own above 2
 * (`run`: 3 events not accounted for; `vault`: 3 to 6), and `check` keeps its own: 2 means
 * "review" there, so its bad usage is 3 ("unusable input").
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;
