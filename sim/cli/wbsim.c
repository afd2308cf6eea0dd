/*
 * wbsim — the lists of cli/wbsim.h.
 */
#include "cli/wbsim.h"

#include "lua/lua_source.h"
#include "model/target_model.h"
#include "replay/replay.h"

/* Op logs first: the Lua source takes whatever no other source recognises. */
const struct workload_ops *const wbsim_sources[] = { &replay_source, &lua_source, NULL };
const struct target_ops *const wbsim_targets[] = { &model_target, NULL };
