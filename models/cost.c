/* models/cost.c — PLACEHOLDER (issue 3): being written; replace this file. */
#include "models/cost.h"
