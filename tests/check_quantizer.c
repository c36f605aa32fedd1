/* tests/check_quantizer.c — PLACEHOLDER: the quantizer suite is being written; replace this file. */
#include "tests/suites.h"

Suite *make_quantizer_suite(void)
{
    return suite_create("quantizer");
}
