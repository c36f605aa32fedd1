/* tests/check_engine.c — PLACEHOLDER: the engine suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_engine_suite(void)
{
    return suite_create("engine");
}
