/* arch/mapper.c — PLACEHOLDER (issue 3): being written; replace this file. */
#include "arch/mapper.h"
