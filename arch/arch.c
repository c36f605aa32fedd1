/* arch/arch.c — PLACEHOLDER (issue 3): being written; replace this file. */
#include "arch/arch.h"
