/* models/cost.h — PLACEHOLDER (issue 3): being written; replace this file. */
#ifndef MYELIN_MODELS_COST_H
#define MYELIN_MODELS_COST_H
#endif
