/*
 * lua_source — the Lua scenario language (SCENARIO_API.md) as a workload source.
 */
#ifndef WBSIM_LUA_SOURCE_H
#define WBSIM_LUA_SOURCE_H

#include "run/workload.h"

extern const struct workload_ops lua_source;

#endif
