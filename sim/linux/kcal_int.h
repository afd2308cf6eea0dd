/* kcal_int — what the kcal_*.c files share. */
#ifndef WBSIM_KCAL_INT_H
#define WBSIM_KCAL_INT_H

#include <stddef.h>

#include "linux/kcal.h"
#include "linux/kenv.h"

uint64_t kcal_now(void);                      /* CLOCK_MONOTONIC, ns */
uint64_t kcal_median(uint64_t *v, size_t n);  /* sorts @v */

void kcal_cpu(struct kcal *k);
bool kcal_fault_cost(const char *dir, uint64_t *out, GError **err);
bool kcal_device(struct kenv *e, struct kcal *k, GError **err);

#endif
