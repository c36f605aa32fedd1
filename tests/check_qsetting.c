/* tests/check_qsetting.c — PLACEHOLDER: the qsetting suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_qsetting_suite(void)
{
    return suite_create("qsetting");
}
