/* tests/check_golden.c — PLACEHOLDER: the golden suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_golden_suite(void)
{
    return suite_create("golden");
}
