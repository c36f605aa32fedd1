/* tests/check_core.c — PLACEHOLDER: the core suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_core_suite(void)
{
    return suite_create("core");
}
