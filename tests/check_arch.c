/* tests/check_arch.c — PLACEHOLDER (issue 3): replace this file. */
#include "tests/suites.h"

Suite *make_arch_suite(void)
{
    return suite_create("arch");
}
