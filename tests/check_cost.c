/* tests/check_cost.c — PLACEHOLDER (issue 3): replace this file. */
#include "tests/suites.h"

Suite *make_cost_suite(void)
{
    return suite_create("cost");
}
