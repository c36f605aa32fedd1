/* tests/check_workload.c — PLACEHOLDER: the workload suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_workload_suite(void)
{
    return suite_create("workload");
}
