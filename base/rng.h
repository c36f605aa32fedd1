/* base/rng.h — the one random stream type: xoshiro256** seeded through splitmix64.
 * Every random draw in Myelin comes from a stream seeded by the run's configuration, never the
 * clock, so the same seed gives the same bytes on every machine. */
#ifndef MYELIN_CORE_RNG_H
#define MYELIN_CORE_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_rng {
    uint64_t s[4];
} myelin_rng;

/* Seeds from (seed, stream): different stream numbers give independent sequences. */
void myelin_rng_seed(myelin_rng *r, uint64_t seed, uint64_t stream);
uint64_t myelin_rng_next(myelin_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double myelin_rng_uniform(myelin_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t myelin_rng_below(myelin_rng *r, uint64_t n);
/* Standard normal (Box-Muller, no cached second value so streams stay position-independent). */
double myelin_rng_normal(myelin_rng *r);

#ifdef __cplusplus
}
#endif
#endif
