/*
 * wbsim — the lists of cli/wbsim.h.
 */
#include "cli/wbsim.h"

#include "linux/target_linux.h"
#include "lua/lua_source.h"
#include "model/target_model.h"
#include "replay/replay.h"

/* Op logs first: the Lua source takes whatever no other source recognises. */
const struct workload_ops *const wbsim_sources[] = { &replay_source, &lua_source, NULL };
/* The kernel claims the specs that start with "linux"; the model takes the rest. */
const struct target_ops *const wbsim_targets[] = { &linux_target, &model_target, NULL };
