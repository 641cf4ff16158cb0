/*
 * commands.h - the CLI command handlers that harness/main.c dispatches to,
 * besides those that cli.h declares.  Each gets argc/argv with argv[0] its
 * own name and returns the exit status (CLI_EXIT_*).
 */
#ifndef PMAPFUZZ_COMMANDS_H
#define PMAPFUZZ_COMMANDS_H

/* cmd_scenarios.c: run the built-in scenarios. */
int cmd_scenarios(int argc, char **argv);
/* cmd_list.c: list bugs, fault sites, checks or scenarios. */
int cmd_list(int argc, char **argv);
/* cmd_fuzz.c: a libFuzzer or AFL++ campaign, then its triage. */
int cmd_fuzz(int argc, char **argv);
/* cmd_triage.c: replay, group, minimize and file crash files. */
int cmd_triage(int argc, char **argv);
/* cmd_promote.c: a findings folder becomes a regression trace. */
int cmd_promote(int argc, char **argv);

#endif /* PMAPFUZZ_COMMANDS_H */
