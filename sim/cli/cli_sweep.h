/*
 * cli_sweep — `wbsim sweep` (README "Sweeps"; the work is in sim/sweep/).  Its own
 * header until the command table moves: cli.h is shared by the other commands.
 */
#ifndef WBSIM_CLI_SWEEP_H
#define WBSIM_CLI_SWEEP_H

int cli_sweep(int argc, char **argv);

#endif
