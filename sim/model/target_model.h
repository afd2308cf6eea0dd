/*
 * target_model — the model as a target (run/target.h).
 */
#ifndef WBSIM_TARGET_MODEL_H
#define WBSIM_TARGET_MODEL_H

#include "run/target.h"

extern const struct target_ops model_target;

#endif
