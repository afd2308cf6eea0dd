/*
 * target_linux — the running kernel behind the target interface (run/target.h): the
 * policy specs "linux:stable_writes=1" and "linux:stable_writes=0" (options in
 * tlinux_spec.c, `wbsim policies` lists them).  A run gets its own loop device and
 * filesystem (kenv), its operations are performed by kexec's workers, the writeback
 * tracepoints are counted by ktrace and the device's counters read from sysfs;
 * README.md in this folder says which metric comes from where.
 */
#ifndef WBSIM_TARGET_LINUX_H
#define WBSIM_TARGET_LINUX_H

#include "run/target.h"

extern const struct target_ops linux_target;

#endif
